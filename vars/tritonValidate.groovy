// tritonValidate: lint the Triton model repository (`tritonship validate`). Returns result.json as a Map.
//   tritonValidate(spec: 'tritonship.yaml', strict: true)

import groovy.transform.Field

@Field static final Map DEFAULTS = [
    spec         : null,                // tritonship.yaml (default: ./tritonship.yaml when present)
    repository   : null,                // model repository directory (default: the spec's model_repository)
    strict       : false,               // warnings fail too
    reportDir    : 'reports/validate',  // result.json, junit.xml
    onGateFailure: 'error',             // exit 1: 'error' | 'unstable' | 'return'
    agent        : [:],                 // how the agent is found or installed (see tritonship)
]

Map call(Map config = [:]) {
    Map cfg = tritonship.mergeConfig('tritonValidate', DEFAULTS, config)
    List args = tritonship.options(['--spec': cfg.spec, '--strict': cfg.strict as boolean])
    if (cfg.repository) {
        args += ['--', cfg.repository.toString()]
    }
    return tritonship(verb: 'validate', args: args, reportDir: cfg.reportDir,
                      onGateFailure: cfg.onGateFailure, agent: cfg.agent)
}
