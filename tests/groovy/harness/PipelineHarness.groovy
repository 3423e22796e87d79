import groovy.json.JsonSlurper
import net.sf.json.JSONObject
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.customizers.ImportCustomizer
import org.yaml.snakeyaml.Yaml

/**
 * A small JenkinsPipelineUnit-style harness: loads vars/ scripts into one binding whose pipeline steps are
 * stubs that record every call (name, arguments, the stage it ran in, the environment and locks it saw).
 * `sh` really runs its script with bash in the current agent's workspace, so the argument vectors the CLI
 * receives can be checked on the far side (tests put a fake `tritonship` first on PATH). The declarative
 * `pipeline {}` vocabulary is interpreted: stages in order, `when`, stage options, agents, `post`.
 *
 * Jenkins semantics it keeps, so that a step relying on something Jenkins does not do fails here too:
 * - every agent (a declarative stage `agent`, or `podTemplate` + `node(POD_LABEL)` of the Kubernetes plugin)
 *   gets its OWN fresh workspace; only `checkout scm` (a copy of `workspace`, the SCM checkout) and
 *   `unstash` put files into it. Steps that need a workspace fail outside any agent, with Jenkins' message.
 *   Steps called directly by a test (not inside `pipeline {}`) run as if inside `node {}` in `workspace`.
 * - `readJSON` returns json-lib objects (JSONObject / JSONArray / JSONNull, which is truthy) unless
 *   `returnPojo: true` (pipeline-utility-steps' documented behaviour);
 * - `input` must not run while an agent is held (it would keep the pod and its executor while a person
 *   decides), and must sit in its own `timeout`;
 * - a `timeout` nested in a shorter one fails: the outer window would cut the documented one short;
 * - a second `pipeline {}` in one build fails like pipeline-model-definition does.
 */
class PipelineHarness {
    final File root
    final File workspace
    final File fakeBin
    final Binding binding = new Binding()
    final List<Call> calls = []
    final Map<String, Map> credentials = [:]    // id -> [username:, password:] | [secret:] | [content:]
    final Map<String, String> baseEnv = [BRANCH_NAME: 'main', BUILD_URL: 'https://jenkins.example.com/job/m/1/']
    final List<Map> envStack = []
    final List<String> locksHeld = []
    final List<String> stagePath = []
    final Map currentBuild = [result: null, description: null, number: 1]
    final File stateDir = File.createTempDir('fake-tritonship', '')  // the fake CLI's log and plan (FAKE_TRITONSHIP_STATE)
    final List<Map> nodes = []                   // every agent allocated: [label:, yaml:, workspace:, stage:, containers:]
    final Map<String, Map<String, byte[]>> stashes = [:]
    final List<Map> podTemplates = []            // podTemplate blocks entered (innermost last)
    final List<Map> timeouts = []                // enclosing timeout windows: [minutes:, scope: build|block]
    final Set<String> missingSteps = [] as Set   // steps of plugins that a test plays as not installed
    Map node                                     // the agent held now (null: none, e.g. under `agent none`)
    int pipelineRuns = 0
    Closure inputHandler = { Map args -> defaultInput(args) }
    Closure shHandler = null                     // optional override: (Call) -> [rc: int, stdout: String]
    boolean collecting = false
    private final GroovyShell shell

    PipelineHarness(File root) {
        this.root = root
        this.workspace = File.createTempDir('pipeline-ws', '')
        this.fakeBin = new File(root, 'tests/groovy/fixtures/bin')
        CompilerConfiguration cc = new CompilerConfiguration()
        cc.scriptBaseClass = 'PipelineScript'
        ImportCustomizer imports = new ImportCustomizer()
        imports.addImports('com.cloudbees.groovy.cps.NonCPS')
        cc.addCompilationCustomizers(imports)
        shell = new GroovyShell(PipelineHarness.classLoader, binding, cc)
        binding.setVariable('__harness', this)
        binding.setVariable('env', new EnvView(this))
        binding.setVariable('currentBuild', currentBuild)
        binding.setVariable('params', [:])
        binding.setVariable('scm', [type: 'git'])
        node = [label: 'direct', workspace: workspace, containers: []]
        org.jenkinsci.plugins.workflow.steps.StepDescriptor.installed = { ->
            this.metaClass.methods*.name.findAll { it.startsWith('step_') }.collect { it.substring(5) }.findAll { !(it in missingSteps) }
        }
        new File(root, 'vars').listFiles().findAll { it.name.endsWith('.groovy') }.sort().each { File f ->
            Script script = shell.parse(f.getText('UTF-8'), f.name)
            binding.setVariable(f.name[0..-8], script)
        }
    }

    void cleanup() {
        workspace.deleteDir()
        stateDir.deleteDir()
        nodes.each { ((File) it.workspace).deleteDir() }
    }

    /** The workspace of the agent held now; outside any agent a step that needs one fails as in Jenkins. */
    File ws() {
        if (node == null) {
            throw new PipelineError('Required context class hudson.FilePath is missing\nPerhaps you forgot to surround the ' +
                                    'code with a step that provides this, such as: node')
        }
        return (File) node.workspace
    }

    /** Allocates an agent with a fresh, empty workspace and runs body on it. */
    Object onAgent(Map spec, Closure body) {
        Map previous = node
        node = spec + [workspace: File.createTempDir('agent-ws', ''), stage: stagePath.join(' / '), containers: []]
        nodes << node
        try { return body() } finally { node = previous }
    }

    /** The workspace of the first agent allocated in the named stage (for tests). */
    File workspaceOf(String stage) { (File) nodes.find { it.stage == stage || it.stage?.endsWith(' / ' + stage) }?.workspace }

    /** Runs a Jenkinsfile (or any pipeline script) from the repository with the same steps and vars. */
    Object runFile(String path) { shell.evaluate(new File(root, path)) }

    /** Runs pipeline code given as text (harness self-tests). */
    Object runScript(String text) { shell.evaluate(text, 'Jenkinsfile.inline') }

    /** Calls a vars/ step the way a Jenkinsfile does. */
    Object runStep(String name, Map args = [:]) { return ((Script) binding.getVariable(name)).invokeMethod('call', [args] as Object[]) }

    Map<String, String> currentEnv() {
        Map<String, String> out = new LinkedHashMap(baseEnv)
        envStack.each { out.putAll(it) }
        return out
    }

    List<Call> callsTo(String name) { calls.findAll { it.name == name } }
    List<String> callNames() { calls.collect { it.name } }

    Object invokeStep(String name, Object[] args) {
        if (binding.hasVariable(name) && binding.getVariable(name) instanceof Script) {
            return ((Script) binding.getVariable(name)).invokeMethod('call', args)
        }
        String method = 'step_' + name
        if (!this.respondsTo(method)) {
            throw new MissingMethodException(name, PipelineScript, args)
        }
        if (name in missingSteps) {
            throw new MissingMethodException(name, PipelineScript, args)  // what a step of a missing plugin does
        }
        Call call = new Call(name: name, args: args as List, stage: stagePath.join(' / '),
                             env: currentEnv(), locks: new ArrayList(locksHeld), node: node)
        calls << call
        return this."$method"(call, *args)
    }

    // ---- scripted steps -------------------------------------------------------------------------------------
    Object step_sh(Call call, Object arg) {
        Map a = arg instanceof Map ? (Map) arg : [script: arg.toString()]
        call.script = a.script.toString()
        Map res = shHandler ? (Map) shHandler(call) : bash(call.script, call.env)
        call.rc = res.rc as int
        call.stdout = res.stdout ?: ''
        if (a.returnStatus) { return call.rc }
        if (call.rc != 0) { throw new PipelineError("script returned exit code ${call.rc}") }
        return a.returnStdout ? call.stdout : null
    }

    Map bash(String script, Map<String, String> env) {
        Map<String, String> full = new LinkedHashMap(System.getenv())
        full.putAll(env)
        full.PATH = env.PATH ?: fakeBin.absolutePath + ':' + System.getenv('PATH')
        full.WORKSPACE = ws().absolutePath
        full.FAKE_TRITONSHIP_STATE = stateDir.absolutePath
        Process p = new ProcessBuilder(['bash', '-e', '-c', script]).directory(ws()).redirectErrorStream(false).with {
            environment().clear(); environment().putAll(full); start()
        }
        StringBuilder out = new StringBuilder(), err = new StringBuilder()
        p.waitForProcessOutput(out, err)
        int rc = p.exitValue()
        return [rc: rc, stdout: out.toString(), stderr: err.toString()]
    }

    Object step_echo(Call call, Object msg) { null }
    Object step_error(Call call, Object msg) { throw new PipelineError(msg.toString()) }
    Object step_unstable(Call call, Object msg) { setResult('UNSTABLE'); null }
    Object step_fileExists(Call call, Object path) { new File(ws(), path.toString()).exists() }
    Object step_writeFile(Call call, Map a) { File f = new File(ws(), a.file.toString()); f.parentFile.mkdirs(); f.text = a.text; null }
    Object step_readFile(Call call, Object a) { new File(ws(), (a instanceof Map ? a.file : a).toString()).text }
    /** pipeline-utility-steps: json-lib objects (JSONNull for null) unless returnPojo: true (LinkedHashMap/ArrayList/null). */
    Object step_readJSON(Call call, Map a) {
        Object parsed = new JsonSlurper().parseText(a.text ?: new File(ws(), a.file.toString()).text)
        return a.returnPojo ? pojo(parsed) : JSONObject.wrap(parsed)
    }
    static Object pojo(Object value) {
        if (value instanceof Map) { Map out = new LinkedHashMap(); value.each { k, v -> out[k] = pojo(v) }; return out }
        if (value instanceof List) { return new ArrayList(value.collect { pojo(it) }) }
        return value
    }
    Object step_readYaml(Call call, Map a) { new Yaml().load(a.text ?: new File(ws(), a.file.toString()).text) }
    Object step_libraryResource(Call call, Object path) {
        File f = new File(root, 'resources/' + path)
        if (!f.exists()) { throw new PipelineError("No such library resource ${path} could be found.") }
        return f.text
    }
    Object step_usernamePassword(Call call, Map a) { [type: 'usernamePassword'] + a }
    Object step_string(Call call, Map a) { [type: 'string'] + a }
    Object step_file(Call call, Map a) { [type: 'file'] + a }
    Object step_choice(Call call, Map a) { [type: 'choice'] + a }
    Object step_withCredentials(Call call, List bindings, Closure body) {
        Map vars = [:]
        bindings.each { Map b ->
            Map secret = credentials[b.credentialsId]
            if (secret == null) { throw new PipelineError("Could not find credentials entry with ID '${b.credentialsId}'") }
            if (b.type == 'usernamePassword') { vars[b.usernameVariable] = secret.username; vars[b.passwordVariable] = secret.password }
            else if (b.type == 'string') { vars[b.variable] = secret.secret }
            else if (b.type == 'file') {
                File f = File.createTempFile('secret', '.file', ws()); f.text = secret.content; vars[b.variable] = f.absolutePath
            }
        }
        return withOverlay(vars, body)
    }
    Object step_withEnv(Call call, List pairs, Closure body) {
        Map vars = [:]
        pairs.each { String p -> int i = p.indexOf('='); vars[p.substring(0, i)] = p.substring(i + 1) }
        return withOverlay(vars, body)
    }
    Object withOverlay(Map vars, Closure body) {
        envStack.push(vars)
        try { return body() } finally { envStack.pop() }
    }
    Object step_timeout(Call call, Map a, Closure body) { withTimeout(minutes(a), 'block', body) }

    static long minutes(Map a) {
        String unit = (a.unit ?: 'MINUTES').toString()
        long time = a.time as long
        return unit == 'HOURS' ? time * 60 : unit == 'DAYS' ? time * 1440 : unit == 'SECONDS' ? Math.max(1L, (long) (time / 60)) : time
    }

    /** A window nested in a shorter one is an error: the outer timeout would cut the documented wait short. */
    Object withTimeout(long window, String scope, Closure body) {
        Map tighter = timeouts.find { (it.minutes as long) < window }
        if (tighter != null) {
            throw new PipelineError("timeout(${window} MINUTES) inside a ${tighter.scope} timeout of ${tighter.minutes} MINUTES: " +
                                    'the outer timeout cuts this documented window short')
        }
        timeouts << [minutes: window, scope: scope]
        try { return body() } finally { timeouts.remove(timeouts.size() - 1) }
    }
    Object step_lock(Call call, Object a, Closure body) {
        String name = a instanceof Map ? a.resource : a
        locksHeld << name
        try { return body() } finally { locksHeld.remove(locksHeld.size() - 1) }
    }
    Object step_stage(Call call, String name, Closure body) {
        stagePath << name
        try { return body() } finally { stagePath.remove(stagePath.size() - 1) }
    }
    Object step_dir(Call call, String path, Closure body) { ws(); body() }
    Object step_input(Call call, Map a) {
        if (node != null) {
            throw new PipelineError("input while holding agent ${node.label ?: node.yaml ? 'pod' : '?'}: waiting for a person " +
                                    'would keep the pod and its executor; ask outside any agent')
        }
        if (!timeouts.any { it.scope == 'block' }) {
            throw new PipelineError('input without its own timeout: an unanswered question would wait until the build timeout')
        }
        inputHandler(a)
    }
    Object step_junit(Call call, Object a) { ws(); null }
    Object step_archiveArtifacts(Call call, Object a) { ws(); null }
    Object step_publishHTML(Call call, Object a) { ws(); null }

    // ---- agents: Kubernetes plugin pod templates, node, container, checkout, stash/unstash --------------------
    Object step_podTemplate(Call call, Map a, Closure body) {
        String label = a.label ?: 'tritonship-pod-' + (nodes.size() + podTemplates.size() + 1)  // the plugin's unique POD_LABEL
        podTemplates << (a + [label: label])
        try { return withOverlay([POD_LABEL: label], body) } finally { podTemplates.remove(podTemplates.size() - 1) }
    }
    Object step_node(Call call, Object label, Closure body) {
        Map template = podTemplates.reverse().find { it.label == label }
        return onAgent([label: label, yaml: template?.yaml, pod: template], body)
    }
    Object step_container(Call call, String name, Closure body) {
        ws(); node.containers << name
        return body()
    }
    Object step_checkout(Call call, Object a) {
        File target = ws()
        workspace.eachFileRecurse(groovy.io.FileType.FILES) { File f ->
            File copy = new File(target, workspace.toPath().relativize(f.toPath()).toString())
            copy.parentFile.mkdirs(); copy.bytes = f.bytes
        }
        null
    }
    Object step_stash(Call call, Map a) {
        File root = ws()
        List<String> patterns = (a.includes ?: '**').toString().tokenize(',')*.trim()
        Map<String, byte[]> files = [:]
        root.eachFileRecurse(groovy.io.FileType.FILES) { File f ->
            String rel = root.toPath().relativize(f.toPath()).toString()
            if (patterns.any { antMatch(it, rel) }) { files[rel] = f.bytes }
        }
        if (files.isEmpty() && !a.allowEmpty) { throw new PipelineError("No files included in stash \u2018${a.name}\u2019") }
        stashes[a.name.toString()] = files
        null
    }
    Object step_unstash(Call call, Object a) {
        String name = (a instanceof Map ? a.name : a).toString()
        Map<String, byte[]> files = stashes[name]
        if (files == null) { throw new PipelineError("No such saved stash \u2018${name}\u2019") }
        files.each { String rel, byte[] data -> File f = new File(ws(), rel); f.parentFile.mkdirs(); f.bytes = data }
        null
    }
    static boolean antMatch(String pattern, String path) {
        String regex = pattern.replace('.', '\\.').replace('**/', '\u0001').replace('**', '\u0002').replace('*', '[^/]*')
                              .replace('\u0001', '(.*/)?').replace('\u0002', '.*')
        return path ==~ regex
    }
    Object step_properties(Call call, List a) { null }
    Object step_disableConcurrentBuilds(Call call, Object... a) { [type: 'disableConcurrentBuilds'] }
    Object step_library(Call call, Object a) { null }
    Object step_legacySCM(Call call, Object a) { null }
    Object step_timestamps(Call call, Object... a) { a && a[-1] instanceof Closure ? ((Closure) a[-1]).call() : null }
    Object step_deleteDir(Call call) { ws().deleteDir(); ws().mkdirs(); null }

    static Object defaultInput(Map args) {
        Map choice = (args.parameters ?: []).find { it.type == 'choice' }
        return choice ? choice.choices[0] : null
    }

    void setResult(String result) {
        List order = ['SUCCESS', 'UNSTABLE', 'FAILURE', 'ABORTED']
        if (currentBuild.result == null || order.indexOf(result) > order.indexOf(currentBuild.result)) {
            currentBuild.result = result
        }
    }

    // ---- declarative pipeline ------------------------------------------------------------------------------
    Object step_pipeline(Call call, Closure body) {
        if (pipelineRuns++ > 0) {
            throw new PipelineError('Only one pipeline { ... } block can be executed in a single run.')  // pipeline-model-definition
        }
        PipelineDsl dsl = new PipelineDsl(h: this)
        collecting = true
        try { Dsl.run(body, dsl) } finally { collecting = false }
        call.options = dsl.options
        Map buildTimeout = dsl.options.find { it.name == 'timeout' }
        Closure run = {
            dsl.stages.each { StageDsl st -> runStage(st) }
            runPost(dsl.post, currentBuild.result ?: 'SUCCESS', 'pipeline')
        }
        Map previous = node
        node = null
        try {
            Closure onTop = dsl.agent == 'none' || dsl.agent == null ? run : { onAgent(agentSpec(dsl.agent), run) }
            if (buildTimeout) { withTimeout(minutes((Map) buildTimeout.args[0]), 'build', onTop) } else { onTop() }
        } finally {
            node = previous
        }
        if (currentBuild.result == null) { currentBuild.result = 'SUCCESS' }
        return null
    }

    static Map agentSpec(Object agent) {
        if (agent instanceof Map && ((Map) agent).kubernetes) { return [label: agent.kubernetes.label, yaml: agent.kubernetes.yaml] }
        return [label: agent instanceof Map ? agent.label : agent.toString()]
    }

    void runStage(StageDsl st) {
        if (currentBuild.result in ['FAILURE', 'ABORTED']) {
            calls << new Call(name: 'stageSkipped', args: [st.name, 'earlier failure'], stage: st.name, env: currentEnv())
            return
        }
        if (st.when != null && !st.when.evaluate()) {
            calls << new Call(name: 'stageSkipped', args: [st.name, 'when'], stage: st.name, env: currentEnv())
            return
        }
        calls << new Call(name: 'stageStart', args: [st.name, st.agent], stage: st.name, env: currentEnv())
        stagePath << st.name
        String outcome = 'SUCCESS'
        Map previous = node
        try {
            Closure body = { withOverlay(st.stageEnv, { Dsl.run(st.steps, new StepsDsl(h: this)) }) }
            st.lockOptions.reverse().each { Object l -> Closure inner = body; body = { invokeStep('lock', [l, inner] as Object[]) } }
            if (st.timeoutOption) { Closure inner = body; body = { invokeStep('timeout', [st.timeoutOption, inner] as Object[]) } }
            if (st.agent != null && st.agent != 'none') {
                Closure inner = body
                body = { onAgent(agentSpec(st.agent), { step_checkout(null, null); withOverlay(st.stageEnv, { runPostOnAgent(st, inner) }) }) }
            }
            body()
        } catch (PipelineAborted e) {
            outcome = 'ABORTED'; setResult('ABORTED'); record('stageError', st.name, e.message)
        } catch (PipelineError e) {
            outcome = 'FAILURE'; setResult('FAILURE'); record('stageError', st.name, e.message)
        } finally {
            if (outcome == 'SUCCESS' && currentBuild.result == 'UNSTABLE') { outcome = 'UNSTABLE' }
            if (!st.postRan) { runPost(st.post, outcome, st.name) }
            node = previous
            stagePath.remove(stagePath.size() - 1)
        }
    }

    /** A stage with its own agent runs its post conditions on that agent (its workspace holds the reports). */
    void runPostOnAgent(StageDsl st, Closure body) {
        String outcome = 'SUCCESS'
        try {
            body()
        } catch (PipelineError e) {
            outcome = e instanceof PipelineAborted ? 'ABORTED' : 'FAILURE'
            throw e
        } finally {
            if (outcome == 'SUCCESS' && currentBuild.result == 'UNSTABLE') { outcome = 'UNSTABLE' }
            st.postRan = true
            runPost(st.post, outcome, st.name)
        }
    }

    void record(String name, Object... args) { calls << new Call(name: name, args: args as List, stage: stagePath.join(' / '), env: currentEnv()) }

    void runPost(Map<String, Closure> post, String outcome, String where) {
        // Jenkins' order: always, ..., aborted, failure, success, unstable, unsuccessful, cleanup
        List conditions = ['always', outcome == 'SUCCESS' ? 'success' : outcome.toLowerCase()]
        if (outcome != 'SUCCESS') { conditions << 'unsuccessful' }
        conditions << 'cleanup'
        conditions.each { String c ->
            if (post[c] != null) {
                record('post', where, c)
                try { Dsl.run(post[c], new StepsDsl(h: this)) } catch (PipelineError e) { setResult('FAILURE'); record('postError', where, e.message) }
            }
        }
    }
}

class Call {
    String name
    List args
    String stage
    Map env
    List locks = []
    Map node
    String script
    Integer rc
    String stdout
    List options
    Map getNamed() { args && args[0] instanceof Map ? (Map) args[0] : [:] }
    String toString() { "${name}(${args.findAll { !(it instanceof Closure) }})" + (stage ? " @${stage}" : '') }
}

class PipelineError extends RuntimeException { PipelineError(String m) { super(m) } }

class PipelineAborted extends PipelineError { PipelineAborted(String m) { super(m) } }

class EnvView {
    PipelineHarness h
    EnvView(PipelineHarness h) { this.h = h }
    def propertyMissing(String name) { h.currentEnv()[name] }
    def propertyMissing(String name, Object value) { h.baseEnv[name] = value?.toString() }
}
