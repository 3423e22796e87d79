// modelPipeline: the whole flow in one line of a Jenkinsfile.
//
//   @Library('tritonship@v0.1.0') _
//   modelPipeline(registryCredentialsId: 'registry-push',
//                 kubeconfigCredentialsId: [dev: 'kube-dev', staging: 'kube-staging', prod: 'kube-prod'])
//
// Stages: Plan -> [Checks] -> [Train] -> Validate -> Build -> Smoke -> Perf -> Promote. Every decision comes from
// the agent: Plan runs `tritonship plan --json` (order, approval, origin, lock of each environment, from the
// validated spec) and this step only carries it out. Build runs first; Smoke and Perf then run the pushed digest
// itself as a second container of their pod (Kubernetes plugin pod YAML) and test it on localhost; Promote
// receives that same digest. A modelcar project (the plan's `serve.layout`) is run as its Deployment runs it: an
// init container from the model image copies /models into an emptyDir that NVIDIA's Triton image (build's
// `triton_image`) serves; Promote receives the pair (`--image` the model image, `--triton-image` the Triton image). Train's model repository is stashed and is what Validate and Build use.
// Approvals and manual pauses are asked outside any pod (stages with `agent none`), each with its own timeout,
// and the whole-build timeout is checked at the start to cover every documented window.

import groovy.transform.Field
import io.tritonship.PipelineChecks

@Field static final String LIBRARY_VERSION = '0.1.0'  // bumped at release, with pyproject.toml and the agent images
@Field static final String AGENT_REPOSITORY = 'ghcr.io/tritonship/agent'
@Field static final String GPU_AGENT_REPOSITORY = 'ghcr.io/tritonship/agent-gpu'
@Field static final String TRAIN_STASH = 'tritonship-model-repository'

// Pod templates shipped in resources/io/tritonship/pods; yaml (inline) replaces resource. No label: since kubernetes
// 1.17.0 (JENKINS-57830) a podTemplate without one gets POD_LABEL, unique per build and template, so builds with
// different pod YAML never share pods.
@Field static final Map AGENTS = [
    standard: [resource: 'io/tritonship/pods/agent.yaml', yaml: null, container: 'tritonship'],
    builder : [resource: 'io/tritonship/pods/builder.yaml', yaml: null, container: 'builder'],
    gpu     : [resource: 'io/tritonship/pods/gpu.yaml', yaml: null, container: 'tritonship'],
    serve   : [resource: 'io/tritonship/pods/serve.yaml', yaml: null, container: 'tritonship'],
    modelcar: [resource: 'io/tritonship/pods/serve-modelcar.yaml', yaml: null, container: 'tritonship'],
]

@Field static final List SKIPPABLE = ['smoke', 'perf']
@Field static final String PERF_RESULT = 'reports/perf/result.json'
@Field static final String PERF_STASH = 'tritonship-perf-result'
@Field static final String SMOKE_URL = 'localhost:8000'  // the model container of the serve pod

def call(Map config = [:]) {
    if (env.TRITONSHIP_MODEL_PIPELINE) {
        error('modelPipeline: called twice in one build; a Jenkinsfile calls modelPipeline(...) once (it is a whole ' +
              'declarative pipeline)')
    }
    env.TRITONSHIP_MODEL_PIPELINE = 'started'
    Map cfg = checkConfig(config)
    checkPlugins()
    Map pods = podSpecs(cfg)
    Map state = [image: null, built: [:], promoted: [], plan: null]
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
            stage('Plan') {
                steps { script { inPod(cfg, pods.standard, 'reports/plan') { state.plan = planned(cfg) } } }
            }
            stage('Checks') {
                when { expression { cfg.checks as boolean } }
                steps { script { inPod(cfg, pods.standard, null) { runCommands('check', cfg.checks) } } }
            }
            stage('Train') {
                when { expression { cfg.train as boolean } }
                steps { script { inPod(cfg, pods.gpu, null) { train(cfg, state) } } }
            }
            stage('Validate') {
                steps {
                    script {
                        inPod(cfg, pods.standard, 'reports/validate') {
                            unstashTrained(cfg)
                            tritonValidate(stepArgs(cfg, 'validate', [spec: cfg.spec, repository: cfg.repository]))
                        }
                    }
                }
            }
            stage('Build') {
                steps { script { inPod(cfg, pods.builder, 'reports/build') { build(cfg, state) } } }
            }
            stage('Smoke') {
                when { expression { !('smoke' in cfg.skip) } }
                steps { script { testArtifact(cfg, pods, state, 'smoke') } }
            }
            stage('Perf') {
                when { expression { !('perf' in cfg.skip) } }
                steps { script { testArtifact(cfg, pods, state, 'perf') } }
            }
            stage('Promote') {
                when { anyOf { branch cfg.primaryBranch; buildingTag() } }
                steps { script { promoteAll(cfg, pods, state) } }
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

// ---- stages --------------------------------------------------------------------------------------------------

// `tritonship plan --json`, then the checks that need it: credentials for every environment, windows that fit.
Map planned(Map cfg) {
    List args = tritonship.options(['--spec': cfg.spec, '--env': cfg.environments ?: [], '--approval': cfg.approval ?: [],
                                    '--no-approval': cfg.approval != null && cfg.approval.isEmpty(),
                                    '--lock-prefix': cfg.lockPrefix, '--dry-run': cfg.dryRun as boolean])
    Map plan
    try {
        plan = tritonship(verb: 'plan', args: args, reportDir: 'reports/plan', agent: cfg.agent)
    } catch (err) {
        error('modelPipeline: ' + err.message + '\n  ' + helpLine('environments') + '\n  ' + helpLine('approval'))
    }
    checkCredentials(cfg, plan)
    checkWindows(cfg, plan)
    return plan
}

void train(Map cfg, Map state) {
    runCommands('train', [cfg.train])
    // stash keeps the trained repository for the next pods (stashes live on the controller: fine for the
    // megabytes of a config-and-weights repository; for gigabytes publish to an artifact store instead)
    stash(name: TRAIN_STASH, includes: (cfg.repository ?: state.plan.model_repository) + '/**')
}

void unstashTrained(Map cfg) {
    if (cfg.train) {
        unstash(TRAIN_STASH)
    }
}

// build's result.json: `image` (the artifact pushed), and for either layout `layout`, `triton_image`, `model_image`.
void build(Map cfg, Map state) {
    unstashTrained(cfg)
    Map built = tritonBuild(stepArgs(cfg, 'build', [spec: cfg.spec, repository: cfg.repository,
                                                    dryRun: cfg.dryRun as boolean,
                                                    registryCredentialsId: cfg.registryCredentialsId]))
    state.built = built
    state.image = built.image
    String planned = layoutOf(state.plan)
    if (built.image && (built.layout ?: 'baked') != planned) {
        error('modelPipeline: the plan runs the ' + planned + ' layout but the build pushed a ' + (built.layout ?: 'baked') +
              ' image; image.layout of tritonship.yaml decides both')
    }
}

@NonCPS
static String layoutOf(Map plan) {
    return ((Map) (plan?.serve ?: [:])).layout ?: 'baked'
}

// Smoke or Perf on the pushed digest, run as the `model` container of the serve pod; a dry run pushed nothing,
// so it tests the checkout on the pod's own Triton and says so.
void testArtifact(Map cfg, Map pods, Map state, String which) {
    String reports = 'reports/' + which
    if (!state.image) {
        echo('modelPipeline: dry run: no pushed image, so ' + which + ' tests the checkout, not the artifact that ships')
        inPod(cfg, pods.gpu, reports) { unstashTrained(cfg); runTest(cfg, which, [repository: cfg.repository]) }
        return
    }
    Map pod = layoutOf(state.plan) == 'modelcar' ? modelcarPod(cfg, pods.modelcar, state) :
        servePod(cfg, pods.serve, state.image.toString())
    Map baseline = which == 'perf' ? perfBaseline(cfg, state) : [:]
    inPod(cfg, pod, reports) { state.perfStashed = runTest(cfg, which, [url: SMOKE_URL] + baseline) }
}

// One promote CLI call in its pod: this build's perf result first (kept as the env's baseline), its report after.
def promoteIn(String name, boolean perfResult, Closure body) {
    if (perfResult) {
        unstash(PERF_STASH)
    }
    try {
        return body()
    } finally {
        publishReport('Promote ' + name + ' report', 'reports/promote-' + name)
    }
}

// report.html with its report.css beside it: safe under Jenkins' default CSP, so no CSP relaxation is needed.
void publishReport(String name, String dir) {
    publishHTML(target: [reportName: name, reportDir: dir, reportFiles: 'report.html',
                         keepAll: true, alwaysLinkToLastBuild: true, allowMissing: true])
}

// The regression baseline by default: the perf result kept for the digest running in the last planned
// environment (`perf --baseline-from`); `perf: [baselineFrom: null]` turns it off, `perf: [baseline: FILE]` replaces it.
Map perfBaseline(Map cfg, Map state) {
    List planned = (List) (state.plan.environments ?: [])
    if (planned.isEmpty() || (cfg.perf ?: [:]).baseline) {
        return [:]
    }
    String last = ((Map) planned[-1]).name.toString()
    return [baselineFrom: last, kubeconfigCredentialsId: PipelineChecks.credentialFor(cfg.kubeconfigCredentialsId, last)]
}

// true when perf left a result.json, stashed so each promotion keeps it as its environment's baseline.
boolean runTest(Map cfg, String which, Map target) {
    Map args = stepArgs(cfg, which, [spec: cfg.spec] + target)
    if (which == 'smoke') {
        try {
            tritonSmokeTest(args)
        } finally {
            publishReport('Smoke report', 'reports/smoke')
        }
        return false
    }
    try {
        tritonPerfTest(args)
        if (fileExists(PERF_RESULT)) {
            stash(name: PERF_STASH, includes: PERF_RESULT)
            return true
        }
        return false
    } finally {
        publishReport('Perf report', 'reports/perf')
    }
}

// Environment by environment, as planned: an approval is asked outside any pod, then the promotion runs under
// its lock; each CLI call gets a pod of its own, and a manual pause is answered while none is held.
void promoteAll(Map cfg, Map pods, Map state) {
    if (!state.image) {
        echo('modelPipeline: no image digest to promote (the build was a dry run); promotion skipped')
        return
    }
    for (Object item : state.plan.environments) {
        Map planned = (Map) item
        String name = planned.name.toString()
        if (planned.approval) {
            stage('Approve ' + name) {
                timeout(time: cfg.approvalTimeoutMinutes, unit: 'MINUTES') {
                    input(message: 'Promote ' + state.image + ' to ' + name + '?', ok: 'Promote to ' + name,
                          submitter: cfg.submitter)
                }
            }
        }
        stage('Promote ' + name) {
            lock(resource: planned.lock) {
                tritonPromote(promoteArgs(cfg, pods, state, planned))
            }
        }
        state.promoted.add(name)
    }
}

Map promoteArgs(Map cfg, Map pods, Map state, Map planned) {
    String name = planned.name.toString()
    Map args = [spec: cfg.spec, env: name, dryRun: cfg.dryRun as boolean, inCluster: cfg.inCluster as boolean,
                kubeconfigCredentialsId: PipelineChecks.credentialFor(cfg.kubeconfigCredentialsId, name),
                webhookCredentialsId: cfg.webhookCredentialsId, pauseTimeoutMinutes: cfg.pauseTimeoutMinutes,
                runIn: { Closure body -> inPod(cfg, pods.standard, 'reports/promote-' + name) { promoteIn(name, false, body) } }]
    if (state.perfStashed) {
        args.perfResult = PERF_RESULT
        args.runIn = { Closure body -> inPod(cfg, pods.standard, 'reports/promote-' + name) { promoteIn(name, true, body) } }
    }
    if (planned.from) {
        args.from = planned.from  // the pair recorded there, for either layout
    } else {
        args.image = state.image
        if (layoutOf(state.plan) == 'modelcar') {
            args.tritonImage = state.built.triton_image
        }
    }
    return stepArgs(cfg, 'promote', args)
}

// ---- agents -----------------------------------------------------------------------------------------------------

// A pod of its own (Kubernetes plugin podTemplate + node(POD_LABEL)), a fresh checkout (made by the agent's jnlp
// container, which has git), the stage's window, and the reports recorded even when the body fails.
def inPod(Map cfg, Map pod, String reports, Closure body) {
    return podTemplate(yaml: pod.yaml) {
        node(env.POD_LABEL) {
            checkout(scm)
            container(pod.container) {
                timeout(time: cfg.stageTimeoutMinutes, unit: 'MINUTES') {
                    try {
                        return body()
                    } finally {
                        if (reports) {
                            record(reports)
                        }
                    }
                }
            }
        }
    }
}

Map podSpecs(Map cfg) {
    Map overrides = (Map) (cfg.agents ?: [:])
    for (Object role : overrides.keySet()) {
        if (!AGENTS.containsKey(role)) {
            error('modelPipeline: agents has roles ' + AGENTS.keySet().join(', ') + ', not ' + role + '\n  ' + helpLine('agents'))
        }
    }
    Map images = [AGENT_IMAGE: cfg.agentImage ?: AGENT_REPOSITORY + ':' + libraryVersion(),
                  GPU_AGENT_IMAGE: cfg.gpuAgentImage ?: GPU_AGENT_REPOSITORY + ':' + libraryVersion()]
    for (Object key : images.keySet()) {
        if (!safeImage(images[key].toString())) {
            error('modelPipeline: ' + key + ' is not an image reference: ' + images[key])
        }
    }
    Map out = [:]
    for (Object role : AGENTS.keySet()) {
        Map pod = tritonship.mergeConfig('modelPipeline agents.' + role, AGENTS[role], (Map) (overrides[role] ?: [:]))
        out[role] = [container: pod.container, yaml: substitute(pod.yaml ?: libraryResource(pod.resource), images)]
    }
    return out
}

// The serve pod with the built image as its `model` container (by digest) and the optional pull secret.
Map servePod(Map cfg, Map serve, String image) {
    checkDigest('image', image)
    return [container: serve.container, yaml: substitute(serve.yaml, [MODEL_IMAGE: image, PULL_SECRETS: pullSecrets(cfg)])]
}

// The modelcar serve pod: the model image as the init container copying /models into the shared emptyDir, the Triton
// image (both by digest, from build's result.json) as the `model` container; commands and paths from the plan.
Map modelcarPod(Map cfg, Map pod, Map state) {
    Map serve = (Map) state.plan.serve
    checkDigest('model_image', state.built.model_image?.toString())
    checkDigest('triton_image', state.built.triton_image?.toString())
    Map values = [MODEL_IMAGE: state.built.model_image, TRITON_IMAGE: state.built.triton_image, PULL_SECRETS: pullSecrets(cfg),
                  INIT_COMMAND: flowList((List) serve.init_command), TRITON_COMMAND: flowList((List) serve.triton_command),
                  TRITON_ARGS: flowList((List) serve.triton_args),
                  SHARED_MOUNT: word(serve.shared_mount), MODELS_PATH: word(serve.models_path)]
    return [container: pod.container, yaml: substitute(pod.yaml, values)]
}

void checkDigest(String key, String image) {
    if (!(image ==~ /[a-z0-9][a-z0-9._\/:-]*@sha256:[0-9a-f]{64}/)) {
        error('modelPipeline: the build returned ' + key + ' ' + image + ', not a name@sha256:digest reference to test')
    }
}

String pullSecrets(Map cfg) {
    return cfg.imagePullSecret ? '[{name: "' + cfg.imagePullSecret + '"}]' : '[]'
}

// The plan's commands and paths go into the pod YAML only as plain words (nothing that needs quoting).
String word(Object value) {
    String text = value == null ? '' : value.toString()
    if (!(text ==~ /[A-Za-z0-9_.\/=:,-]+/)) {
        error('modelPipeline: the plan gave ' + value + ', not a plain word for the pod YAML')
    }
    return text
}

// A YAML flow list (["a", "b"]) of plain words.
String flowList(List words) {
    List quoted = []
    for (Object item : (words ?: [])) {
        quoted.add('"' + word(item) + '"')
    }
    if (quoted.isEmpty()) {
        error('modelPipeline: the plan gave no command for the pod YAML')
    }
    return '[' + quoted.join(', ') + ']'
}

String libraryVersion() {
    String loaded = env.'library.tritonship.version'
    java.util.regex.Matcher m = loaded ? (loaded =~ /^v?(\d+\.\d+\.\d+)$/) : null
    return m && m.matches() ? m.group(1) : LIBRARY_VERSION
}

@NonCPS
static String substitute(String yaml, Map values) {
    String out = yaml
    values.each { k, v -> out = out.replace('@' + k + '@', v.toString()) }
    return out
}

@NonCPS
static boolean safeImage(String ref) {
    return ref ==~ /[a-z0-9][a-zA-Z0-9._\/:@-]*/
}

// ---- checks before any work ------------------------------------------------------------------------------------

Map checkConfig(Map config) {
    for (Object key : (config ?: [:]).keySet()) {
        String near = PipelineChecks.closestParameter(key.toString())
        if (!PipelineChecks.PARAMS.containsKey(key) && near) {
            error('modelPipeline: unknown parameter ' + key + ' (did you mean ' + near + '?)\n  ' + helpLine(near))
        }
    }
    Map cfg = tritonship.mergeConfig('modelPipeline', PipelineChecks.defaults(), config)
    for (Object key : PipelineChecks.PARAMS.keySet()) {
        String problem = PipelineChecks.typeProblem(key.toString(), cfg[key], (List) PipelineChecks.PARAMS[key][1])
        if (problem) {
            error('modelPipeline: ' + problem + '\n  ' + helpLine(key.toString()))
        }
    }
    checkValues(cfg)
    return cfg
}

void checkValues(Map cfg) {
    for (Object name : cfg.skip) {
        if (!(name in SKIPPABLE)) {
            error('modelPipeline: skip accepts ' + SKIPPABLE.join(', ') + ', not ' + name + '\n  ' + helpLine('skip'))
        }
    }
    for (String key : ['timeoutMinutes', 'stageTimeoutMinutes', 'approvalTimeoutMinutes', 'pauseTimeoutMinutes', 'buildsToKeep']) {
        if (cfg[key] < 1) {
            error('modelPipeline: ' + key + ' must be at least 1, not ' + cfg[key] + '\n  ' + helpLine(key))
        }
    }
    if (cfg.imagePullSecret && !(cfg.imagePullSecret ==~ /[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)) {
        error('modelPipeline: imagePullSecret is not a Kubernetes secret name: ' + cfg.imagePullSecret + '\n  ' +
              helpLine('imagePullSecret'))
    }
    if (cfg.inCluster && cfg.kubeconfigCredentialsId) {
        error('modelPipeline: give kubeconfigCredentialsId or inCluster: true, not both\n  ' + helpLine('inCluster'))
    }
}

void checkPlugins() {
    Set installed = PipelineChecks.installedSteps()
    if (installed == null) {
        echo('modelPipeline: cannot list installed steps here (sandboxed library?); see the README for the plugins')
        return
    }
    List missing = PipelineChecks.missingSteps(installed)
    if (missing) {
        error('modelPipeline: missing Jenkins step(s) ' + missing.join(', ') + '; install the plugins in plugins.txt')
    }
}

void checkCredentials(Map cfg, Map plan) {
    List missing = PipelineChecks.withoutCredential(cfg, plan)
    if (missing) {
        error('modelPipeline: kubeconfigCredentialsId has no credential for ' + missing.join(', ') +
              ' (planned: ' + PipelineChecks.planNames(plan).join(', ') + '); nothing promotes with the ' +
              "agent pod's own service account unless inCluster: true\n  " + helpLine('kubeconfigCredentialsId'))
    }
}

// The whole-build window must hold every stage window plus every documented wait of the plan.
void checkWindows(Map cfg, Map plan) {
    String problem = PipelineChecks.windowProblem(cfg, plan)
    if (problem) {
        error('modelPipeline: ' + problem + '\n  ' + helpLine('timeoutMinutes'))
    }
}

// ---- helpers ------------------------------------------------------------------------------------------------------

@NonCPS
static String helpLine(String key) {
    return PipelineChecks.helpLine(key)
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
