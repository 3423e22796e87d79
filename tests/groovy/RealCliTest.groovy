/**
 * The contract end to end: the steps' argument vectors run the REAL tritonship CLI (the agent installed in
 * the test venv), and the results it writes come back through readJSON. Verbs that need no server only.
 */
class RealCliTest extends PipelineTest {

    void setUp() {
        super.setUp()
        String bin = System.getenv('TRITONSHIP_TEST_AGENT_BIN') ?: new File(ROOT, '.venv/bin').absolutePath
        assert new File(bin, 'tritonship').canExecute(): "no tritonship agent in ${bin}"
        h.baseEnv.PATH = bin + ':' + System.getenv('PATH')
        Process cp = ['cp', '-r', new File(ROOT, 'examples/model_repository').path, new File(ROOT, 'examples/tritonship.yaml').path,
                      h.workspace.path].execute()
        assert cp.waitFor() == 0: cp.errorStream.text
    }

    void testValidateAndDryRunBuildThroughTheRealCli() {
        Map validated = h.runStep('tritonValidate', [spec: 'tritonship.yaml', strict: true, repository: 'model_repository'])
        assert validated.status == 'passed'
        assert validated.verb == 'validate'
        assert validated.digest.short ==~ /[0-9a-f]{12}/
        Map built = h.runStep('tritonBuild', [spec: 'tritonship.yaml', dryRun: true])
        assert built.status == 'dry-run'
        assert built.image == null
        assert built.tags[0].endsWith('-' + validated.digest.short)
    }

    void testBadInputFromTheRealCliNamesTheProblem() {
        String msg = failureOf { h.runStep('tritonValidate', [spec: 'missing.yaml']) }
        assert msg.startsWith('tritonship validate: bad input (exit 2): ')
        assert msg.contains('missing.yaml')
    }

    void testGateFailureFromTheRealCli() {
        new File(h.workspace, 'model_repository/add_sub/config.pbtxt').text = 'name: "add_sub"\nbackend: "python"\nmax_batch_size: -3\n'
        String msg = failureOf { h.runStep('tritonValidate', [spec: 'tritonship.yaml']) }
        assert msg.startsWith('tritonship validate failed a gate')
        Map kept = h.runStep('tritonValidate', [spec: 'tritonship.yaml', onGateFailure: 'return'])
        assert kept.status == 'failed' && kept.exit_code == 1
        assert new File(h.workspace, 'reports/validate/junit.xml').text.contains('add_sub')
    }

    void testModelPipelineDryRunOnTheExample() {
        h.runStep('modelPipeline', [spec: 'tritonship.yaml', dryRun: true, skip: ['smoke', 'perf'], inCluster: true])
        assert h.currentBuild.result == 'SUCCESS'
        assert h.callsTo('stageStart').collect { it.args[0] } == ['Plan', 'Validate', 'Build', 'Promote']
        assert h.callsTo('echo')*.args*.get(0).contains('modelPipeline: no image digest to promote (the build was a dry run); promotion skipped')
        assert new File(h.workspaceOf('Build'), 'reports/build/result.json').text.contains('"dry-run"')
        assert !h.callsTo('sh').any { it.script.contains("'null'") }
    }

    void testTheRealPlanIsTheOneModelPipelineTestAnswersWith() {
        Map plan = h.runStep('tritonship', [verb: 'plan', args: ['--spec=tritonship.yaml']])
        Map expected = EXAMPLE_PLAN
        assert plan.subMap(expected.keySet()) == expected
        Map dry = h.runStep('tritonship', [verb: 'plan', args: ['--spec=tritonship.yaml', '--dry-run', '--env=dev', '--env=prod']])
        assert dry.environments*.from == [null, null] && dry.environments*.lock == ['example-models-dev', 'example-models-prod']
        assert failureOf { h.runStep('tritonship', [verb: 'plan', args: ['--spec=tritonship.yaml', '--env=qa']]) }
            .startsWith("tritonship plan: bad input (exit 2): --env 'qa':")
    }
}
