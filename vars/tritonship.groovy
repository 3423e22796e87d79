// tritonship: the only step in this library that runs the tritonship CLI.
//
//   Map result = tritonship(verb: 'build', args: ['--registry=reg.example.com/ml'],
//                           credentials: [[type: 'usernamePassword', id: 'registry',
//                                          usernameVariable: 'TRITONSHIP_REGISTRY_USER',
//                                          passwordVariable: 'TRITONSHIP_REGISTRY_PASSWORD']])
//
// Every argument reaches the CLI as ONE literal argument: the command line is built from a list, each
// element single-quoted by quote(). Secrets never enter the script text: withCredentials puts them in
// environment variables that only the CLI reads. The CLI writes result.json into a per-step report
// directory; this step reads it back with readJSON(returnPojo: true) and returns plain maps, lists and real
// nulls: without returnPojo, pipeline-utility-steps returns json-lib objects where a JSON null is a JSONNull,
// which Groovy treats as TRUE (a dry run's `"image": null` would become the image "null"). Exit codes: 0 -> the result;
// 1 (a gate failed) -> error (or unstable/return, see onGateFailure) with result.json kept on disk;
// 2 (bad input) and 3 (infrastructure) -> error naming the CLI's message.

import groovy.transform.Field

@Field static final Map DEFAULTS = [
    verb         : null,     // validate | build | smoke | perf | plan | promote | rollback | history | status | render | seed
    args         : [],       // arguments after the verb; each one is passed as one literal argument
    reportDir    : null,     // where the CLI writes result.json, junit.xml, report.html (default: reports/<verb>)
    credentials  : [],       // [[type: 'usernamePassword'|'string'|'file', id: CREDENTIALS_ID, <variable names>]]
    env          : [:],      // extra environment variables for the CLI: NAME -> value (never a secret)
    onGateFailure: 'error',  // exit 1: 'error' fails the stage, 'unstable' marks the build, 'return' only returns
    agent        : [:],      // overrides of AGENT_DEFAULTS
]

// The agent comes in the image of the stage's pod (docker/agent, docker/agent-gpu; see the README). Nothing is
// installed from an index the user did not name: the optional pip path needs an explicit index URL and a
// requirements file that pins tritonship and every dependency with hashes (pip --require-hashes).
@Field static final Map AGENT_DEFAULTS = [
    install     : 'path',              // 'path': tritonship on PATH (the agent image); 'pip': a workspace venv
    indexUrl    : null,                // pip: the package index to install from (required; no default index)
    requirements: null,                // pip: requirements file in the workspace, every line pinned with --hash
    venv        : '.tritonship/venv',  // pip: the workspace venv
]

@Field static final List GATE_MODES = ['error', 'unstable', 'return']

// Runs in the agent's shell, BEFORE any credential is bound; reads its inputs from the environment only.
@Field static final String ENSURE_AGENT = '''set -eu
if [ "$TRITONSHIP_AGENT_INSTALL" = path ]; then
  if command -v tritonship; then exit 0; fi
  echo "tritonship: the agent is not on PATH: run this step in the tritonship agent image (docker/agent, see the README)" >&2
  exit 127
fi
venv="$TRITONSHIP_AGENT_VENV"
stamp="$(sha256sum < "$TRITONSHIP_AGENT_REQUIREMENTS" | cut -c1-64) $TRITONSHIP_AGENT_INDEX_URL"
if [ ! -x "$venv/bin/tritonship" ] || [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$stamp" ]; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --no-input --require-hashes --index-url "$TRITONSHIP_AGENT_INDEX_URL" \\
    -r "$TRITONSHIP_AGENT_REQUIREMENTS" >&2
  printf '%s' "$stamp" > "$venv/.requirements"
fi
printf '%s\\n' "$venv/bin/tritonship"
'''

Map call(Map config = [:]) {
    Map cfg = mergeConfig('tritonship', DEFAULTS, config)
    if (!cfg.verb) {
        error('tritonship: parameter verb is required')
    }
    if (!(cfg.onGateFailure in GATE_MODES)) {
        error('tritonship: onGateFailure must be one of ' + GATE_MODES.join(', ') + ', not ' + cfg.onGateFailure)
    }
    String verb = cfg.verb.toString()
    String reportDir = (cfg.reportDir ?: 'reports/' + verb).toString()
    List envVars = envList(cfg.env)
    List bindings = credentialBindings(cfg.credentials)
    String exe = ensureAgent(mergeConfig('tritonship agent', AGENT_DEFAULTS, cfg.agent))
    List argv = [exe, '--report-dir=' + reportDir, verb] + stringList(cfg.args)
    // a stale result.json must never be mistaken for this run's (only that file is removed)
    String script = 'rm -f -- ' + quote(reportDir + '/result.json') + '\n' + command(argv) + '\n'
    int rc = withCredentials(bindings) {
        withEnv(envVars) {
            sh(label: 'tritonship ' + verb, script: script, returnStatus: true)
        }
    }
    return outcome(verb, rc, reportDir, cfg.onGateFailure.toString())
}

// One quoting function for every argument: single quotes, with each ' written as '\''.
@NonCPS
static String quote(Object value) {
    return "'" + String.valueOf(value).replace("'", "'\\''") + "'"
}

@NonCPS
static String command(List argv) {
    List quoted = []
    for (Object arg : argv) {
        quoted.add(quote(arg))
    }
    return quoted.join(' ')
}

// Credential descriptors for the usual secrets; a null id binds nothing.
@NonCPS
static List registryCredentials(Object id) {
    return id ? [[type: 'usernamePassword', id: id, usernameVariable: 'TRITONSHIP_REGISTRY_USER',
                  passwordVariable: 'TRITONSHIP_REGISTRY_PASSWORD']] : []
}

@NonCPS
static List clusterCredentials(Object kubeconfigId, Object webhookId) {
    List out = []
    if (kubeconfigId) {
        out.add([type: 'file', id: kubeconfigId, variable: 'KUBECONFIG'])
    }
    if (webhookId) {
        out.add([type: 'string', id: webhookId, variable: 'TRITONSHIP_WEBHOOK_URL'])
    }
    return out
}

// Documented defaults merged with the user's map; unknown keys are an error naming them.
Map mergeConfig(String step, Map defaults, Map config) {
    List unknown = unknownKeys(defaults, config)
    if (unknown) {
        error(step + ': unknown parameter(s) ' + unknown.join(', ') + ' (known: ' + defaults.keySet().join(', ') + ')')
    }
    return merged(defaults, config)
}

// Fails unless every named key has a value.
void require(String step, Map cfg, List keys) {
    List missing = []
    for (Object key : keys) {
        if (cfg[key] == null || cfg[key] == '') {
            missing.add(key)
        }
    }
    if (missing) {
        error(step + ': missing required parameter(s) ' + missing.join(', '))
    }
}

// `--name=value` for each non-empty value (the = form: a value starting with '-' stays a value).
@NonCPS
static List options(Map optionValues) {
    List out = []
    optionValues.each { String flag, Object value ->
        if (value instanceof Boolean) {
            if (value) {
                out.add(flag)
            }
        } else if (value instanceof List) {
            for (Object item : value) {
                out.add(flag + '=' + item)
            }
        } else if (value != null && value.toString() != '') {
            out.add(flag + '=' + value)
        }
    }
    return out
}

@NonCPS
static List unknownKeys(Map defaults, Map config) {
    List unknown = []
    for (Object key : (config ?: [:]).keySet()) {
        if (!defaults.containsKey(key)) {
            unknown.add(key.toString())
        }
    }
    return unknown.sort()
}

@NonCPS
static Map merged(Map defaults, Map config) {
    Map out = new LinkedHashMap(defaults)
    out.putAll(config ?: [:])
    return out
}

@NonCPS
static List stringList(Object values) {
    List out = []
    for (Object value : (values ?: [])) {
        out.add(String.valueOf(value))
    }
    return out
}

List envList(Map vars) {
    List out = []
    for (Object name : (vars ?: [:]).keySet()) {
        if (!(name.toString() ==~ /[A-Za-z_][A-Za-z0-9_]*/)) {
            error('tritonship: invalid environment variable name ' + quote(name))
        }
        out.add(name.toString() + '=' + String.valueOf(vars[name]))
    }
    return out
}

List credentialBindings(List credentials) {
    List out = []
    for (Object item : (credentials ?: [])) {
        Map c = (Map) item
        if (!c.id) {
            error('tritonship: a credential needs an id: ' + c.keySet().join(', '))
        }
        if (c.type == 'usernamePassword') {
            out.add(usernamePassword(credentialsId: c.id, usernameVariable: c.usernameVariable,
                                     passwordVariable: c.passwordVariable))
        } else if (c.type == 'string') {
            out.add(string(credentialsId: c.id, variable: c.variable))
        } else if (c.type == 'file') {
            out.add(file(credentialsId: c.id, variable: c.variable))
        } else {
            error('tritonship: credential type must be usernamePassword, string or file, not ' + c.type)
        }
    }
    return out
}

String ensureAgent(Map agent) {
    if (!(agent.install in ['path', 'pip'])) {
        error('tritonship: agent.install must be path or pip, not ' + agent.install)
    }
    if (agent.install == 'pip' && !(agent.indexUrl ==~ /https?:\/\/\S+/ && agent.requirements)) {
        error('tritonship: agent.install = pip needs indexUrl (the index you trust, http(s)://...) and requirements ' +
              '(a file pinning tritonship and every dependency with --hash); nothing is installed from a default index')
    }
    List vars = ['TRITONSHIP_AGENT_INSTALL=' + agent.install, 'TRITONSHIP_AGENT_INDEX_URL=' + (agent.indexUrl ?: ''),
                 'TRITONSHIP_AGENT_REQUIREMENTS=' + (agent.requirements ?: ''), 'TRITONSHIP_AGENT_VENV=' + agent.venv]
    return withEnv(vars) {
        sh(label: 'tritonship: agent', script: ENSURE_AGENT, returnStdout: true).trim()
    }
}

Map outcome(String verb, int rc, String reportDir, String onGateFailure) {
    String path = reportDir + '/result.json'
    Map result = fileExists(path) ? (Map) readJSON(file: path, returnPojo: true) : null
    if (rc == 0 && result != null) {
        return result
    }
    String why = result == null ? ' (it wrote no ' + path + ')' : ': ' + explain(result)
    if (rc == 1 && result != null) {
        if (onGateFailure == 'return') {
            return result
        }
        if (onGateFailure == 'unstable') {
            unstable('tritonship ' + verb + ' failed a gate' + why)
            return result
        }
        error('tritonship ' + verb + ' failed a gate' + why)
    }
    String kind = rc == 2 ? 'bad input (exit 2)' : rc == 3 ? 'infrastructure error (exit 3)' : 'exit ' + rc
    error('tritonship ' + verb + ': ' + kind + why)
    return result
}

@NonCPS
static String explain(Map result) {
    Object err = result.error
    if (err instanceof Map && err.message) {
        return err.message.toString()
    }
    for (String key : ['message', 'summary', 'reason']) {
        if (result[key] instanceof String && result[key]) {
            return result[key]
        }
    }
    return 'status ' + result.status + ' (see result.json)'
}
