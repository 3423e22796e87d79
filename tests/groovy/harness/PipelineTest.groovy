import groovy.json.JsonOutput
import groovy.json.JsonSlurper

/** Base class of the Groovy tests: a fresh harness per test and helpers to read what the fake CLI saw. */
abstract class PipelineTest {
    static File ROOT
    // what `tritonship plan --json` answers for examples/tritonship.yaml (RealCliTest pins the real CLI to it)
    static final Map EXAMPLE_PLAN = [project: 'example-models', dry_run: false, model_repository: 'model_repository', environments: [
        [name: 'dev', approval: false, from: null, strategy: 'rolling', lock: 'example-models-dev', namespace: 'models-dev', manual_pauses: 0],
        [name: 'staging', approval: false, from: 'dev', strategy: 'blue-green', lock: 'example-models-staging', namespace: 'models-staging', manual_pauses: 0],
        [name: 'prod', approval: true, from: 'staging', strategy: 'canary', lock: 'example-models-prod', namespace: 'models-prod', manual_pauses: 0]],
        serve: [layout: 'baked']]

    PipelineHarness h

    void setUp() { h = new PipelineHarness(ROOT) }

    void tearDown() { h?.cleanup() }

    /** What the fake tritonship should answer, per verb, in order: [build: [[exit_code: 1, data: [...]]]]. */
    void plan(Map plan) {
        new File(h.stateDir, 'plan.json').text = JsonOutput.toJson(plan)
    }

    /** Every CLI invocation as the fake received it: [argv: [...], env: [...]]. */
    List<Map> cli() {
        File log = new File(h.stateDir, 'calls.jsonl')
        if (!log.exists()) { return [] }
        return log.readLines().findAll { it }.collect { (Map) new JsonSlurper().parseText(it) }
    }

    /** argv after the executable and --report-dir. */
    List<String> argvOf(Map call) { call.argv.findAll { !it.startsWith('--report-dir=') } }

    /** The `sh` calls that ran the CLI (not the agent check). */
    List<Call> cliScripts() { h.callsTo('sh').findAll { it.named.label?.toString()?.startsWith('tritonship ') } }

    String failureOf(Closure body) {
        try {
            body()
        } catch (PipelineError e) {
            return e.message
        }
        throw new AssertionError('expected the step to fail')
    }
}
