import groovy.json.JsonOutput
import groovy.json.JsonSlurper

/** Base class of the Groovy tests: a fresh harness per test and helpers to read what the fake CLI saw. */
abstract class PipelineTest {
    static File ROOT
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
