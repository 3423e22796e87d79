// modelPipeline: the whole flow in one line of a Jenkinsfile.
//
//   @Library('tritonship@v0.1.0') _
//   modelPipeline(spec: 'tritonship.yaml', registryCredentialsId: 'registry-push',
//                 kubeconfigCredentialsId: [dev: 'kube-dev', staging: 'kube-staging', prod: 'kube-prod'])
//
// Stages: [Checks] -> [Train] -> Validate -> Build -> Smoke -> Perf -> Promote <env> for each environment in
// order, each under a lock named after the environment; environments with `approval: true` in the spec wait
// for `input` first. Promotion runs only on the primary branch or a tag. Each stage records its reports
// (junit, archived artifacts, the perf HTML report) even when it fails; the build description names the
// promoted digest and the environments it reached.

import groovy.transform.Field

@Field static final Map DEFAULTS = [
    spec                   : 'tritonship.yaml', // the project's tritonship.yaml
    repository             : null,    // model repository (default: the spec's model_repository)
    environments           : null,    // environments to promote to, in order (default: the spec's, in file order)
    approval               : null,    // environments that need a person's approval (default: `approval: true` in the spec)
    primaryBranch          : 'main',  // promotion (and no concurrent builds) only here or on a tag
    dryRun                 : false,   // build --dry-run, promote --dry-run: nothing is pushed or deployed
    checks                 : [],      // shell commands of a Checks stage before everything (e.g. 'make test')
    train                  : null,    // shell command of a Train stage before Validate
    skip                   : [],      // stages to leave out: 'smoke', 'perf'
    validate               : [:],     // extra tritonValidate parameters
    build                  : [:],     // extra tritonBuild parameters
    smoke                  : [:],     // extra tritonSmokeTest parameters
    perf                   : [:],     // extra tritonPerfTest parameters
    promote                : [:],     // extra tritonPromote parameters (every environment)
    registryCredentialsId  : null,    // username/password credential for the registry
    kubeconfigCredentialsId: null,    // file credential with a kubeconfig, or a map environment -> credential id
    webhookCredentialsId   : null,    // secret text with the notification webhook URL
    agents                 : [:],     // pod overrides per role: [standard|builder|gpu: [label:, resource:, yaml:, container:]]
    timeoutMinutes         : 240,     // the whole build
    buildsToKeep           : 30,      // build discarder
    approvalTimeoutMinutes : 1440,    // an unanswered approval this long fails the build
    submitter              : null,    // who may approve (users/groups, comma separated)
    lockPrefix             : '',      // lock name = lockPrefix + environment
    agent                  : [:],     // how the tritonship agent is found or installed (see tritonship)
]

// Pod templates shipped in resources/io/tritonship/pods; label selects, yaml (inline) overrides resource.
@Field static final Map AGENTS = [
    standard: [label: 'tritonship', resource: 'io/tritonship/pods/agent.yaml', yaml: null, container: 'tritonship'],
    builder : [label: 'tritonship-builder', resource: 'io/tritonship/pods/builder.yaml', yaml: null, container: 'builder'],
    gpu     : [label: 'tritonship-gpu', resource: 'io/tritonship/pods/gpu.yaml', yaml: null, container: 'triton'],
]

@Field static final List SKIPPABLE = ['smoke', 'perf']

def call(Map config = [:]) {
    Map cfg = tritonship.mergeConfig('modelPipeline', DEFAULTS, config)
    checkSkips(cfg.skip)
    Map pods = podSpecs(cfg.agents)
    Map std = pods.standard
    Map builder = pods.builder
    Map gpu = pods.gpu
    Map state = [image: null, promoted: []]
    if (env.BRANCH_NAME == cfg.primaryBranch) {
        properties([disableConcurrentBuilds()])
    }
    pipeline {
        agent none
        options {
            timestamps()
            timeout(time: cfg.timeoutMinutes, unit: 'MINUTES')
            buildDiscarder(logRotator(numToKeepStr: String.valueOf(cfg.buildsToKeep)))
        }
        stages {
            stage('Checks') {
                when { beforeAgent true; expression { cfg.checks as boolean } }
                agent { kubernetes { label std.label; yaml std.yaml; defaultContainer std.container } }
                steps { script { runCommands('check', cfg.checks) } }
            }
            stage('Train') {
                when { beforeAgent true; expression { cfg.train as boolean } }
                agent { kubernetes { label gpu.label; yaml gpu.yaml; defaultContainer gpu.container } }
                steps { script { runCommands('train', [cfg.train]) } }
            }
            stage('Validate') {
                agent { kubernetes { label std.label; yaml std.yaml; defaultContainer std.container } }
                steps { script { tritonValidate(stepArgs(cfg, 'validate', [spec: cfg.spec, repository: cfg.repository])) } }
                post { always { record('reports/validate') } }
            }
            stage('Build') {
                agent { kubernetes { label builder.label; yaml builder.yaml; defaultContainer builder.container } }
                steps {
                    script {
                        Map built = tritonBuild(stepArgs(cfg, 'build', [spec: cfg.spec, repository: cfg.repository,
                                                                        dryRun: cfg.dryRun as boolean,
                                                                        registryCredentialsId: cfg.registryCredentialsId]))
                        state.image = built.image
                    }
                }
                post { always { record('reports/build') } }
            }
            stage('Smoke') {
                when { beforeAgent true; expression { !('smoke' in cfg.skip) } }
                agent { kubernetes { label gpu.label; yaml gpu.yaml; defaultContainer gpu.container } }
                steps { script { tritonSmokeTest(stepArgs(cfg, 'smoke', [spec: cfg.spec, repository: cfg.repository])) } }
                post { always { record('reports/smoke') } }
            }
            stage('Perf') {
                when { beforeAgent true; expression { !('perf' in cfg.skip) } }
                agent { kubernetes { label gpu.label; yaml gpu.yaml; defaultContainer gpu.container } }
                steps { script { tritonPerfTest(stepArgs(cfg, 'perf', [spec: cfg.spec, repository: cfg.repository])) } }
                post {
                    always {
                        record('reports/perf')
                        publishHTML(target: [reportName: 'Perf report', reportDir: 'reports/perf', reportFiles: 'report.html',
                                             keepAll: true, alwaysLinkToLastBuild: true, allowMissing: true])
                    }
                }
            }
            stage('Promote') {
                when { beforeAgent true; anyOf { branch cfg.primaryBranch; buildingTag() } }
                agent { kubernetes { label std.label; yaml std.yaml; defaultContainer std.container } }
                steps { script { promoteAll(cfg, state) } }
                post { always { record('reports/promote-*') } }
            }
        }
        post {
            always {
                script {
                    if (state.promoted) {
                        currentBuild.description = state.image + ' \u2192 ' + state.promoted.join(', ')
                    }
                }
            }
        }
    }
}

// Promote environment by environment: the first gets the digest just built, each later one the digest
// that succeeded in the environment before it (the spec's `from:`, else the previous one in the list).
void promoteAll(Map cfg, Map state) {
    if (!state.image) {
        echo('modelPipeline: no image digest to promote (the build was a dry run); promotion skipped')
        return
    }
    Map specEnvs = specEnvironments(cfg.spec)
    List envs = cfg.environments != null ? cfg.environments : new ArrayList(specEnvs.keySet())
    List approval = cfg.approval != null ? cfg.approval : approvalFromSpec(specEnvs)
    String previous = null
    for (Object item : envs) {
        String name = item.toString()
        if (name in approval) {
            stage('Approve ' + name) {
                timeout(time: cfg.approvalTimeoutMinutes, unit: 'MINUTES') {
                    input(message: 'Promote ' + state.image + ' to ' + name + '?', ok: 'Promote to ' + name,
                          submitter: cfg.submitter)
                }
            }
        }
        stage('Promote ' + name) {
            lock(resource: cfg.lockPrefix + name) {
                tritonPromote(promoteArgs(cfg, state, name, specEnvs, previous))
            }
        }
        state.promoted.add(name)
        previous = name
    }
}

Map promoteArgs(Map cfg, Map state, String name, Map specEnvs, String previous) {
    Map args = [spec: cfg.spec, env: name, dryRun: cfg.dryRun as boolean,
                kubeconfigCredentialsId: credentialFor(cfg.kubeconfigCredentialsId, name),
                webhookCredentialsId: cfg.webhookCredentialsId]
    Map specEnv = (Map) (specEnvs[name] ?: [:])
    String from = specEnv.from ?: previous
    if (from && !cfg.dryRun) {
        args.from = from
    } else {
        args.image = state.image
    }
    return stepArgs(cfg, 'promote', args)
}

Map specEnvironments(String spec) {
    Map doc = (Map) (readYaml(file: spec) ?: [:])
    return (Map) (doc.environments ?: [:])
}

@NonCPS
static List approvalFromSpec(Map specEnvs) {
    List out = []
    specEnvs.each { name, e -> if (e instanceof Map && e.approval == true) { out.add(name.toString()) } }
    return out
}

@NonCPS
static String credentialFor(Object ids, String envName) {
    if (ids instanceof Map) {
        return ids[envName]
    }
    return ids
}

Map stepArgs(Map cfg, String step, Map base) {
    Map extra = (Map) (cfg[step] ?: [:])
    Map out = cfg.agent ? [agent: cfg.agent] : [:]
    for (Object key : base.keySet()) {
        if (base[key] != null) {
            out[key] = base[key]
        }
    }
    out.putAll(extra)
    return out
}

void runCommands(String label, List commands) {
    for (Object command : commands) {
        sh(label: label, script: command.toString())
    }
}

void record(String reports) {
    junit(testResults: reports + '/junit.xml', allowEmptyResults: true)
    archiveArtifacts(artifacts: reports + '/**', allowEmptyArchive: true)
}

void checkSkips(List skip) {
    for (Object name : (skip ?: [])) {
        if (!(name in SKIPPABLE)) {
            error('modelPipeline: skip accepts ' + SKIPPABLE.join(', ') + ', not ' + name)
        }
    }
}

Map podSpecs(Map overrides) {
    for (Object role : (overrides ?: [:]).keySet()) {
        if (!AGENTS.containsKey(role)) {
            error('modelPipeline: agents has roles ' + AGENTS.keySet().join(', ') + ', not ' + role)
        }
    }
    Map out = [:]
    for (Object role : AGENTS.keySet()) {
        Map pod = tritonship.mergeConfig('modelPipeline agents.' + role, AGENTS[role], (Map) ((overrides ?: [:])[role] ?: [:]))
        out[role] = [label: pod.label, container: pod.container, yaml: pod.yaml ?: libraryResource(pod.resource)]
    }
    return out
}
