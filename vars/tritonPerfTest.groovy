// tritonPerfTest: measure latency and throughput and gate on budgets and regressions (`tritonship perf`).
//   tritonPerfTest(repository: 'model_repository', model: 'add_sub', concurrency: [1, 4, 16])
//   tritonPerfTest(modelImage: built.model_image, model: 'add_sub', registryCredentialsId: 'registry-pull')
// The report dir holds report.html (publish it with publishHTML) and result.json (the next baseline).

import groovy.transform.Field

@Field static final Map DEFAULTS = [
    spec         : null,    // tritonship.yaml (default: ./tritonship.yaml when present)
    repository   : null,    // launch a local tritonserver on this directory ...
    url          : null,    // ... or measure a running server HOST:PORT ...
    modelImage   : null,    // ... or a modelcar model image name@sha256:..., unpacked for a local tritonserver
    registryCredentialsId: null, // to pull `modelImage`: -> TRITONSHIP_REGISTRY_USER/PASSWORD
    model        : null,    // model to measure (default: the spec's perf.model)
    concurrency  : [],      // closed-loop levels, e.g. [1, 4, 16] or '1,4,16'
    rate         : [],      // open-loop request rates, e.g. [100, 500] (not with concurrency)
    protocol     : null,    // http | grpc
    batch        : null,    // batch size
    baseline     : null,    // result.json of the previous release: the regression gate ...
    baselineFrom : null,    // ... or the perf result kept for the digest running in this environment
    kubeconfigCredentialsId: null, // Jenkins file credential -> KUBECONFIG, to read baselineFrom's cluster
    reportDir    : 'reports/perf',
    onGateFailure: 'error', // exit 1: 'error' | 'unstable' | 'return'
    agent        : [:],
]

Map call(Map config = [:]) {
    Map cfg = tritonship.mergeConfig('tritonPerfTest', DEFAULTS, config)
    if ((cfg.repository ? 1 : 0) + (cfg.url ? 1 : 0) + (cfg.modelImage ? 1 : 0) > 1) {
        error('tritonPerfTest: give one of repository, url or modelImage')
    }
    if (cfg.baseline && cfg.baselineFrom) {
        error('tritonPerfTest: give baseline or baselineFrom, not both')
    }
    if (cfg.concurrency && cfg.rate) {
        error('tritonPerfTest: give concurrency or rate, not both')
    }
    List args = tritonship.options([
        '--spec'       : cfg.spec,
        '--repository' : cfg.repository,
        '--url'        : cfg.url,
        '--model-image': cfg.modelImage,
        '--model'      : cfg.model,
        '--concurrency': cfg.concurrency instanceof List ? cfg.concurrency.join(',') : cfg.concurrency,
        '--rate'       : cfg.rate instanceof List ? cfg.rate.join(',') : cfg.rate,
        '--protocol'   : cfg.protocol,
        '--batch'      : cfg.batch,
        '--baseline'   : cfg.baseline,
        '--baseline-from': cfg.baselineFrom,
    ])
    List credentials = tritonship.registryCredentials(cfg.registryCredentialsId)
    if (cfg.baselineFrom && cfg.kubeconfigCredentialsId) {
        credentials += tritonship.clusterCredentials(cfg.kubeconfigCredentialsId, null)
    }
    return tritonship(verb: 'perf', args: args, reportDir: cfg.reportDir, credentials: credentials,
                      onGateFailure: cfg.onGateFailure, agent: cfg.agent)
}
