// tritonBuild: build and push the content-addressed Triton image (`tritonship build`).
// Returns result.json as a Map; `result.image` is the pushed `name@sha256:...` reference.
//   def built = tritonBuild(registry: 'registry.example.com/ml', registryCredentialsId: 'registry-push')

import groovy.transform.Field

@Field static final Map DEFAULTS = [
    spec                 : null,    // tritonship.yaml (default: ./tritonship.yaml when present)
    repository           : null,    // model repository (default: the spec's)
    registry             : null,    // HOST[:PORT]/PATH (default: the spec's image.registry)
    name                 : null,    // image name (default: the spec's image.name or project)
    baseImage            : null,    // base Triton image (default: the spec's image.base_image)
    builder              : null,    // buildah | docker | kaniko (default: the spec's, else detected)
    tags                 : [],      // extra tags for the same digest
    insecureRegistry     : false,   // plain HTTP (loopback registries only)
    force                : false,   // rebuild even when the tag exists
    dryRun               : false,   // print the Dockerfile and plan, touch nothing
    registryCredentialsId: null,    // Jenkins username/password credential -> TRITONSHIP_REGISTRY_USER/PASSWORD
    reportDir            : 'reports/build',
    onGateFailure        : 'error', // exit 1: 'error' | 'unstable' | 'return'
    agent                : [:],     // how the agent is found or installed (see tritonship)
]

Map call(Map config = [:]) {
    Map cfg = tritonship.mergeConfig('tritonBuild', DEFAULTS, config)
    List args = tritonship.options([
        '--spec'             : cfg.spec,
        '--repository'       : cfg.repository,
        '--registry'         : cfg.registry,
        '--name'             : cfg.name,
        '--base-image'       : cfg.baseImage,
        '--builder'          : cfg.builder,
        '--tag'              : cfg.tags ?: [],
        '--insecure-registry': cfg.insecureRegistry as boolean,
        '--force'            : cfg.force as boolean,
        '--dry-run'          : cfg.dryRun as boolean,
    ])
    List credentials = tritonship.registryCredentials(cfg.registryCredentialsId)
    return tritonship(verb: 'build', args: args, credentials: credentials, reportDir: cfg.reportDir,
                      onGateFailure: cfg.onGateFailure, agent: cfg.agent)
}
