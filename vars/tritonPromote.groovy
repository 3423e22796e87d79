// tritonPromote: promote an image digest to one environment (`tritonship promote`).
//   tritonPromote(env: 'dev', image: built.image, kubeconfigCredentialsId: 'kubeconfig-dev')
//   tritonPromote(env: 'staging', from: 'dev')
//   tritonPromote(env: 'dev', image: built.model_image, tritonImage: built.triton_image, ...)   // a modelcar pair
// A strategy step that waits for a person ends the CLI with status `paused`: this step then asks with
// `input` and runs `tritonship promote --env E --resume` (or `--abort`), until the promotion ends.
// An input that is rejected or times out aborts the promotion (`--abort`) before failing the stage.
// runIn: a closure that runs each CLI call on an agent, e.g. { body -> podTemplate(...) { node(POD_LABEL) { body() } } }.
// With it, this step is called OUTSIDE any agent and the questions are asked while no pod is held (modelPipeline
// does this); without it, every call runs where the step is called (then the pause holds that agent).

import groovy.transform.Field

@Field static final Map DEFAULTS = [
    spec                   : null,     // tritonship.yaml (default: ./tritonship.yaml when present)
    env                    : null,     // environment to promote to (required)
    image                  : null,     // name@sha256:... to promote (modelcar: the model image) ...
    tritonImage            : null,     // modelcar: the Triton image name@sha256:... it runs in (default: the spec's)
    from                   : null,     // ... or the digest that succeeded in this environment
    waitLock               : null,     // seconds to wait for another promotion's lock
    dryRun                 : false,    // plan only
    retry                  : false,    // true: try again a release whose newest attempt failed (`--retry`)
    perfResult             : null,     // perf result.json of this digest: kept as the env's baseline once promoted
    skipPreflight          : [],       // image | capacity | rbac | origin (recorded in the history)
    kubeconfigCredentialsId: null,     // Jenkins file credential -> KUBECONFIG (required unless inCluster)
    inCluster              : false,    // true: no kubeconfig, use the agent pod's own service account on purpose
    webhookCredentialsId   : null,     // Jenkins secret text -> TRITONSHIP_WEBHOOK_URL
    grafanaTokenCredentialsId: null,  // Jenkins secret text -> TRITONSHIP_GRAFANA_TOKEN (annotations)
    prometheusUrl          : null,     // -> TRITONSHIP_PROMETHEUS_URL for analysis
    submitter              : null,     // who may answer a manual pause (users/groups, comma separated)
    pauseTimeoutMinutes    : 1440,     // a manual pause unanswered this long aborts the promotion
    maxPauses              : 20,       // safety net against a promotion that never ends
    runIn                  : null,     // closure { body -> ... body() ... } giving each CLI call an agent
    reportDir              : null,     // default: reports/promote-<env>
    onGateFailure          : 'error',  // exit 1 (analysis failed, rolled back): 'error' | 'unstable' | 'return'
    agent                  : [:],
]

Map call(Map config = [:]) {
    Map cfg = tritonship.mergeConfig('tritonPromote', DEFAULTS, config)
    tritonship.require('tritonPromote', cfg, ['env'])
    if (!cfg.kubeconfigCredentialsId && cfg.inCluster != true) {
        error('tritonPromote: kubeconfigCredentialsId is required for ' + cfg.env + ' (a Jenkins file credential with ' +
              'its kubeconfig); set inCluster: true to promote with the agent pod\'s own service account on purpose')
    }
    if (cfg.kubeconfigCredentialsId && cfg.inCluster == true) {
        error('tritonPromote: give kubeconfigCredentialsId or inCluster: true, not both')
    }
    if (cfg.image && cfg.from) {
        error('tritonPromote: give image or from, not both')
    }
    if (cfg.tritonImage && !cfg.image) {
        error('tritonPromote: tritonImage goes with image (the model image); from promotes the pair recorded there')
    }
    if (!cfg.image && !cfg.from) {
        error('tritonPromote: give image (name@sha256:...) or from (an environment)')
    }
    if (!(cfg.retry instanceof Boolean)) {
        error('tritonPromote: retry must be true or false, not ' + cfg.retry)
    }
    List start = tritonship.options(['--image': cfg.image, '--triton-image': cfg.tritonImage, '--from': cfg.from,
                                     '--wait-lock': cfg.waitLock,
                                     '--perf-result': cfg.perfResult,
                                     '--dry-run': cfg.dryRun as boolean, '--retry': cfg.retry,
                                     '--skip-preflight': cfg.skipPreflight ?: []])
    if (cfg.runIn != null && !(cfg.runIn instanceof Closure)) {
        error('tritonPromote: runIn must be a closure { body -> ... }, not ' + cfg.runIn.getClass().simpleName)
    }
    Map result = promote(cfg, start)
    int pauses = 0
    while (result.status == 'paused') {
        pauses++
        if (pauses > cfg.maxPauses) {
            promote(cfg, ['--abort'])
            error('tritonPromote: ' + cfg.env + ' paused more than ' + cfg.maxPauses + ' times; aborted')
        }
        String decision = decide(cfg, result)
        // a resumed promotion that ends well keeps the perf result too
        result = promote(cfg, decision == 'resume' ? tritonship.options(['--perf-result': cfg.perfResult]) + ['--resume']
                                                   : ['--abort'])
    }
    return result
}

// Asks a person; a rejected or timed-out input aborts the promotion, then fails the stage.
String decide(Map cfg, Map result) {
    String why = result.message ?: result.reason ?: ('paused at step ' + (result.step ?: '?'))
    try {
        return timeout(time: cfg.pauseTimeoutMinutes, unit: 'MINUTES') {
            input(message: 'Promotion to ' + cfg.env + ' is paused: ' + why + '. Continue?',
                         ok: 'Decide', submitter: cfg.submitter,
                         parameters: [choice(name: 'DECISION', choices: ['resume', 'abort'],
                                             description: 'resume continues the strategy; abort returns all traffic to stable')])
        }
    } catch (err) {
        promote(cfg, ['--abort'])
        throw err
    }
}

Map promote(Map cfg, List extra) {
    if (cfg.runIn != null) {
        return (Map) cfg.runIn.call { runCli(cfg, extra) }
    }
    return runCli(cfg, extra)
}

Map runCli(Map cfg, List extra) {
    List args = tritonship.options(['--spec': cfg.spec, '--env': cfg.env]) + extra
    List credentials = tritonship.clusterCredentials(cfg.kubeconfigCredentialsId, cfg.webhookCredentialsId) +
        (cfg.grafanaTokenCredentialsId ? [[type: 'string', id: cfg.grafanaTokenCredentialsId,
                                           variable: 'TRITONSHIP_GRAFANA_TOKEN']] : [])
    Map env = cfg.prometheusUrl ? [TRITONSHIP_PROMETHEUS_URL: cfg.prometheusUrl] : [:]
    return tritonship(verb: 'promote', args: args, credentials: credentials, env: env,
                      reportDir: cfg.reportDir ?: 'reports/promote-' + cfg.env,
                      onGateFailure: cfg.onGateFailure, agent: cfg.agent)
}
