// tritonSmokeTest: start a real Triton and prove every model loads and answers (`tritonship smoke`).
//   tritonSmokeTest(repository: 'model_repository', protocol: 'both')
//   tritonSmokeTest(url: 'triton.staging:8000')
//   tritonSmokeTest(modelImage: built.model_image, registryCredentialsId: 'registry-pull')   // modelcar, local Triton

import groovy.transform.Field

@Field static final Map DEFAULTS = [
    spec                 : null,    // tritonship.yaml (default: ./tritonship.yaml when present)
    repository           : null,    // launch a local tritonserver on this directory ...
    url                  : null,    // ... or test a running server HOST:PORT ...
    image                : null,    // ... or launch this image (docker with GPUs)
    modelImage           : null,    // modelcar model image name@sha256:...: unpacked for a local Triton, or with
                                    // image (the Triton image) copied into its container as the pod does
    models               : [],      // models to check (list or 'a,b'); default: all
    protocol             : null,    // http | grpc | both (default: the spec's)
    golden               : null,    // folder of golden cases
    requireGpu           : false,   // fail unless every KIND_GPU instance loaded on a GPU
    timeout              : null,    // seconds the server may take to become ready
    registryCredentialsId: null,    // to pull `image`/`modelImage`: -> TRITONSHIP_REGISTRY_USER/PASSWORD
    reportDir            : 'reports/smoke',
    onGateFailure        : 'error', // exit 1: 'error' | 'unstable' | 'return'
    agent                : [:],
]

Map call(Map config = [:]) {
    Map cfg = tritonship.mergeConfig('tritonSmokeTest', DEFAULTS, config)
    List targets = []
    for (String key : ['repository', 'url', 'image']) {
        if (cfg[key]) {
            targets.add(key)
        }
    }
    if (targets.size() > 1) {
        error('tritonSmokeTest: give one of repository, url or image, not ' + targets.join(' and '))
    }
    if (cfg.modelImage && (cfg.repository || cfg.url)) {
        error('tritonSmokeTest: modelImage brings the models; give it alone or with image, not with ' + targets[0])
    }
    List args = tritonship.options([
        '--spec'       : cfg.spec,
        '--repository' : cfg.repository,
        '--url'        : cfg.url,
        '--image'      : cfg.image,
        '--model-image': cfg.modelImage,
        '--models'     : cfg.models instanceof List ? cfg.models.join(',') : cfg.models,
        '--protocol'   : cfg.protocol,
        '--golden'     : cfg.golden,
        '--require-gpu': cfg.requireGpu as boolean,
        '--timeout'    : cfg.timeout,
    ])
    List credentials = tritonship.registryCredentials(cfg.registryCredentialsId)
    return tritonship(verb: 'smoke', args: args, credentials: credentials, reportDir: cfg.reportDir,
                      onGateFailure: cfg.onGateFailure, agent: cfg.agent)
}
