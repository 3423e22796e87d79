// tritonRollback: roll an environment back, fast and without analysis (`tritonship rollback`).
//   tritonRollback(env: 'prod')                 // to the previous revision
//   tritonRollback(env: 'prod', to: 7)          // to revision 7 of `tritonship history --env prod`

import groovy.transform.Field

@Field static final Map DEFAULTS = [
    spec                   : null,    // tritonship.yaml (default: ./tritonship.yaml when present)
    env                    : null,    // environment (required)
    to                     : null,    // revision (default: the previous one)
    waitLock               : null,    // seconds to wait for a running promotion's lock
    kubeconfigCredentialsId: null,    // Jenkins file credential -> KUBECONFIG
    webhookCredentialsId   : null,    // Jenkins secret text -> TRITONSHIP_WEBHOOK_URL
    grafanaTokenCredentialsId: null,  // Jenkins secret text -> TRITONSHIP_GRAFANA_TOKEN (annotations)
    reportDir              : null,    // default: reports/rollback-<env>
    onGateFailure          : 'error', // exit 1: 'error' | 'unstable' | 'return'
    agent                  : [:],
]

Map call(Map config = [:]) {
    Map cfg = tritonship.mergeConfig('tritonRollback', DEFAULTS, config)
    tritonship.require('tritonRollback', cfg, ['env'])
    List args = tritonship.options(['--spec': cfg.spec, '--env': cfg.env, '--to': cfg.to, '--wait-lock': cfg.waitLock])
    List credentials = tritonship.clusterCredentials(cfg.kubeconfigCredentialsId, cfg.webhookCredentialsId) +
        (cfg.grafanaTokenCredentialsId ? [[type: 'string', id: cfg.grafanaTokenCredentialsId,
                                           variable: 'TRITONSHIP_GRAFANA_TOKEN']] : [])
    return tritonship(verb: 'rollback', args: args, credentials: credentials,
                      reportDir: cfg.reportDir ?: 'reports/rollback-' + cfg.env,
                      onGateFailure: cfg.onGateFailure, agent: cfg.agent)
}
