/** vars/modelPipeline.groovy: stage order, options, agents, locks, approval, promotion rules, post, failures. */
class ModelPipelineTest extends PipelineTest {
    static final String DIGEST = 'registry.example.com/ml/example-models@sha256:' + 'ab' * 32

    void setUp() {
        super.setUp()
        new File(h.workspace, 'tritonship.yaml').text = new File(ROOT, 'examples/tritonship.yaml').text
        h.credentials['kube-dev'] = [content: 'dev']
        h.credentials['kube-staging'] = [content: 'staging']
        h.credentials['kube-prod'] = [content: 'prod']
        h.credentials['push'] = [username: 'robot', password: 'hunter2']
    }

    Map standard(Map extra = [:]) {
        [registryCredentialsId: 'push', kubeconfigCredentialsId: [dev: 'kube-dev', staging: 'kube-staging', prod: 'kube-prod']] + extra
    }

    List<String> started() { h.callsTo('stageStart').collect { it.args[0] } }
    List<String> skipped() { h.callsTo('stageSkipped').collect { it.args[0] } }
    List<String> verbs() { cli().collect { argvOf(it)[0] } }

    void testFullRunOnThePrimaryBranch() {
        h.runStep('modelPipeline', standard())
        assert h.currentBuild.result == 'SUCCESS'
        assert started() == ['Validate', 'Build', 'Smoke', 'Perf', 'Promote']
        assert skipped() == ['Checks', 'Train']
        assert verbs() == ['validate', 'build', 'smoke', 'perf', 'promote', 'promote', 'promote']
        List<String> scripted = h.callsTo('stage').collect { it.args[0] }
        assert scripted == ['Promote dev', 'Promote staging', 'Approve prod', 'Promote prod']
        assert h.currentBuild.description == DIGEST + ' \u2192 dev, staging, prod'
    }

    void testArgumentsOfEachStage() {
        h.runStep('modelPipeline', standard(repository: 'model_repository', perf: [concurrency: [1, 4]], validate: [strict: true]))
        List<List> argvs = cli().collect { argvOf(it) }
        assert argvs[0] == ['validate', '--spec=tritonship.yaml', '--strict', '--', 'model_repository']
        assert argvs[1] == ['build', '--spec=tritonship.yaml', '--repository=model_repository']
        assert argvs[2] == ['smoke', '--spec=tritonship.yaml', '--repository=model_repository']
        assert argvs[3] == ['perf', '--spec=tritonship.yaml', '--repository=model_repository', '--concurrency=1,4']
        assert argvs[4] == ['promote', '--spec=tritonship.yaml', '--env=dev', '--image=' + DIGEST]
        assert argvs[5] == ['promote', '--spec=tritonship.yaml', '--env=staging', '--from=dev']
        assert argvs[6] == ['promote', '--spec=tritonship.yaml', '--env=prod', '--from=staging']
        assert cli()[1].env.TRITONSHIP_REGISTRY_PASSWORD == 'hunter2'
        assert new File(cli()[4].env.KUBECONFIG).text == 'dev'
        assert new File(cli()[6].env.KUBECONFIG).text == 'prod'
        assert !h.callsTo('sh').any { it.script.contains('hunter2') || it.script.contains('robot') }
    }

    void testOptionsAndNoConcurrentBuildsOnThePrimaryBranch() {
        h.runStep('modelPipeline', standard(timeoutMinutes: 90, buildsToKeep: 5))
        List options = h.callsTo('pipeline')[0].options
        assert options*.name.containsAll(['timestamps', 'timeout', 'buildDiscarder'])
        assert options.find { it.name == 'timeout' }.args[0] == [time: 90, unit: 'MINUTES']
        assert options.find { it.name == 'logRotator' }.args[0] == [numToKeepStr: '5']
        assert h.callsTo('properties').size() == 1
        assert h.callsTo('disableConcurrentBuilds').size() == 1
    }

    void testFeatureBranchRunsChecksButNeverPromotesAndAllowsConcurrentBuilds() {
        h.baseEnv.BRANCH_NAME = 'feature/faster-model'
        h.runStep('modelPipeline', standard())
        assert started() == ['Validate', 'Build', 'Smoke', 'Perf']
        assert skipped().contains('Promote')
        assert !verbs().contains('promote')
        assert h.callsTo('properties').isEmpty()
        assert h.currentBuild.description == null
    }

    void testTagsPromote() {
        h.baseEnv.BRANCH_NAME = 'v1.2.0'
        h.baseEnv.TAG_NAME = 'v1.2.0'
        h.runStep('modelPipeline', standard())
        assert verbs().count { it == 'promote' } == 3
    }

    void testEachEnvironmentPromotesUnderItsOwnLockAndApprovalComesFirst() {
        h.runStep('modelPipeline', standard(lockPrefix: 'example-models/'))
        List<Call> promoteRuns = cliScripts().findAll { it.named.label == 'tritonship promote' }
        assert promoteRuns*.locks == [['example-models/dev'], ['example-models/staging'], ['example-models/prod']]
        Call input = h.callsTo('input')[0]
        assert input.stage == 'Promote / Approve prod'
        assert input.locks.isEmpty()
        assert input.named.message == 'Promote ' + DIGEST + ' to prod?'
        int approveAt = h.calls.indexOf(input)
        int prodAt = h.calls.findIndexOf { it.name == 'lock' && it.named.resource == 'example-models/prod' }
        int stagingAt = h.calls.findIndexOf { it.name == 'lock' && it.named.resource == 'example-models/staging' }
        assert stagingAt < approveAt && approveAt < prodAt
    }

    void testRejectedApprovalStopsBeforeProd() {
        h.inputHandler = { Map a -> throw new PipelineAborted('Rejected by bob') }
        h.runStep('modelPipeline', standard())
        assert h.currentBuild.result == 'ABORTED'
        assert cli().collect { argvOf(it)[2] }.findAll { it?.startsWith('--env=') } == ['--env=dev', '--env=staging']
        assert h.currentBuild.description == DIGEST + ' \u2192 dev, staging'
    }

    void testApprovalAndEnvironmentsCanBeGivenExplicitly() {
        h.runStep('modelPipeline', standard(environments: ['dev', 'prod'], approval: ['dev'], submitter: 'ml-leads'))
        assert h.callsTo('stage').collect { it.args[0] } == ['Approve dev', 'Promote dev', 'Promote prod']
        assert h.callsTo('input')[0].named.submitter == 'ml-leads'
        assert argvOf(cli().last()) == ['promote', '--spec=tritonship.yaml', '--env=prod', '--from=staging']
    }

    void testAgentsComeFromThePodTemplatesAndCanBeOverridden() {
        h.runStep('modelPipeline', standard(agents: [gpu: [label: 'a100', container: 'gpu']]))
        Map agents = h.callsTo('stageStart').collectEntries { [(it.args[0]): it.args[1].kubernetes] }
        assert agents.Validate.label == 'tritonship'
        assert agents.Validate.yaml == new File(ROOT, 'resources/io/tritonship/pods/agent.yaml').text
        assert agents.Build.label == 'tritonship-builder'
        assert agents.Build.yaml.contains('STORAGE_DRIVER')
        assert agents.Smoke == [label: 'a100', yaml: new File(ROOT, 'resources/io/tritonship/pods/gpu.yaml').text, defaultContainer: 'gpu']
        assert agents.Perf.label == 'a100'
        assert failureOf { h.runStep('modelPipeline', [agents: [tpu: [:]]]) }.contains('agents has roles standard, builder, gpu, not tpu')
        assert failureOf { h.runStep('modelPipeline', [agents: [gpu: [lable: 'x']]]) }.contains('unknown parameter(s) lable')
    }

    void testPostRecordsReportsForEveryStageAndPublishesPerf() {
        h.runStep('modelPipeline', standard())
        assert h.callsTo('junit')*.named*.testResults == ['reports/validate/junit.xml', 'reports/build/junit.xml',
            'reports/smoke/junit.xml', 'reports/perf/junit.xml', 'reports/promote-*/junit.xml']
        assert h.callsTo('archiveArtifacts')*.named*.artifacts == ['reports/validate/**', 'reports/build/**',
            'reports/smoke/**', 'reports/perf/**', 'reports/promote-*/**']
        Map html = h.callsTo('publishHTML')[0].named.target
        assert html.reportDir == 'reports/perf' && html.reportFiles == 'report.html' && html.keepAll
        assert h.callsTo('publishHTML')[0].stage == 'Perf'
    }

    void testSmokeGateFailureStopsThePipelineButStillRecords() {
        plan(smoke: [[exit_code: 1, data: [error: [message: 'add_sub: output OUTPUT0 has NaN']]]])
        h.runStep('modelPipeline', standard())
        assert h.currentBuild.result == 'FAILURE'
        assert started() == ['Validate', 'Build', 'Smoke']
        assert skipped().containsAll(['Perf', 'Promote'])
        assert h.callsTo('stageError')[0].args == ['Smoke', 'tritonship smoke failed a gate: add_sub: output OUTPUT0 has NaN']
        assert h.callsTo('junit').find { it.stage == 'Smoke' }.named.testResults == 'reports/smoke/junit.xml'
        assert !verbs().contains('promote')
        assert h.currentBuild.description == null
    }

    void testPromotionFailureInStagingKeepsWhatReachedDev() {
        plan(promote: [[status: 'passed'], [exit_code: 3, status: 'error', data: [error: [message: 'cannot reach the cluster']]]])
        h.runStep('modelPipeline', standard())
        assert h.currentBuild.result == 'FAILURE'
        assert h.currentBuild.description == DIGEST + ' \u2192 dev'
        assert h.callsTo('stageError')[0].args[1] == 'tritonship promote: infrastructure error (exit 3): cannot reach the cluster'
    }

    void testDryRunBuildsNothingAndPromotesNothing() {
        plan(build: [[status: 'dry-run']])
        h.runStep('modelPipeline', standard(dryRun: true))
        assert argvOf(cli()[1]) == ['build', '--spec=tritonship.yaml', '--dry-run']
        assert !verbs().contains('promote')
        assert h.callsTo('echo')*.args*.get(0).contains('modelPipeline: no image digest to promote (the build was a dry run); promotion skipped')
        assert h.currentBuild.result == 'SUCCESS'
    }

    void testDryRunWithAnImagePromotesEveryEnvironmentByImage() {
        plan(build: [[status: 'cached', data: [image: DIGEST]]])  // the tag already exists: dry run still knows the digest
        h.runStep('modelPipeline', standard(dryRun: true, environments: ['dev', 'staging'], approval: []))
        assert argvOf(cli()[4]) == ['promote', '--spec=tritonship.yaml', '--env=dev', '--image=' + DIGEST, '--dry-run']
        assert argvOf(cli()[5]) == ['promote', '--spec=tritonship.yaml', '--env=staging', '--image=' + DIGEST, '--dry-run']
    }

    void testChecksAndTrainStagesRunTheirCommands() {
        h.runStep('modelPipeline', standard(checks: ['echo checks-ran > checks.txt'], train: 'echo trained > train.txt', skip: ['perf']))
        assert started() == ['Checks', 'Train', 'Validate', 'Build', 'Smoke', 'Promote']
        assert new File(h.workspace, 'checks.txt').text.trim() == 'checks-ran'
        assert new File(h.workspace, 'train.txt').text.trim() == 'trained'
        assert h.callsTo('stageStart').find { it.args[0] == 'Train' }.args[1].kubernetes.label == 'tritonship-gpu'
    }

    void testBadConfiguration() {
        assert failureOf { h.runStep('modelPipeline', [specfile: 'x']) }.startsWith('modelPipeline: unknown parameter(s) specfile')
        assert failureOf { h.runStep('modelPipeline', [skip: ['validate']]) } == 'modelPipeline: skip accepts smoke, perf, not validate'
        h.runStep('modelPipeline', [build: [registy: 'x']])
        assert h.callsTo('stageError')[0].args[1].startsWith('tritonBuild: unknown parameter(s) registy')
    }

    void testThisRepositorysJenkinsfile() {
        String agentPath = new File(h.fakeBin, 'tritonship').absolutePath
        h.shHandler = { Call c ->
            if (c.named.label == 'check') { return [rc: 0, stdout: ''] }                      // make test: not here
            if (c.named.label == 'tritonship: agent') { return [rc: 0, stdout: agentPath + '\n'] }  // no pip here
            return h.bash(c.script, c.env)
        }
        h.runFile('Jenkinsfile')
        assert h.callsTo('library')[0].named.identifier == 'tritonship@main'
        assert h.currentBuild.result == 'SUCCESS'
        assert started() == ['Checks', 'Validate', 'Build', 'Smoke', 'Perf', 'Promote']
        assert h.callsTo('sh').find { it.named.label == 'check' }.script == 'make test'
        Call agent = h.callsTo('sh').find { it.named.label == 'tritonship: agent' }
        assert agent.env.TRITONSHIP_AGENT_INSTALL == 'venv' && agent.env.TRITONSHIP_AGENT_REQUIREMENT == '.[triton]'
        assert cli().collect { argvOf(it) } == [
            ['validate', '--spec=examples/tritonship.yaml', '--', 'examples/model_repository'],
            ['build', '--spec=examples/tritonship.yaml', '--repository=examples/model_repository', '--dry-run'],
            ['smoke', '--spec=examples/tritonship.yaml', '--repository=examples/model_repository'],
            ['perf', '--spec=examples/tritonship.yaml', '--repository=examples/model_repository']]
        assert h.callsTo('stageStart').find { it.args[0] == 'Smoke' }.args[1].kubernetes.label == 'tritonship'
    }
}
