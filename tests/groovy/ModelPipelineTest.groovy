import org.yaml.snakeyaml.Yaml

/** vars/modelPipeline.groovy: plan from the CLI, pods per stage, the artifact tested, approvals, checks at the start. */
class ModelPipelineTest extends PipelineTest {
    static final String DIGEST = 'registry.example.com/ml/example-models@sha256:' + 'ab' * 32
    static final Map PLAN = EXAMPLE_PLAN

    void setUp() {
        super.setUp()
        new File(h.workspace, 'tritonship.yaml').text = new File(ROOT, 'examples/tritonship.yaml').text
        new File(h.workspace, 'model_repository/add_sub').mkdirs()
        new File(h.workspace, 'model_repository/add_sub/config.pbtxt').text = 'name: "add_sub"\n'
        h.credentials['kube-dev'] = [content: 'dev']
        h.credentials['kube-staging'] = [content: 'staging']
        h.credentials['kube-prod'] = [content: 'prod']
        h.credentials['push'] = [username: 'robot', password: 'hunter2']
        answers([:])
    }

    /** The fake CLI's answers: the example's plan unless a test says otherwise. */
    void answers(Map responses) { plan([plan: [[data: PLAN]]] + responses) }

    Map standard(Map extra = [:]) {
        [registryCredentialsId: 'push', kubeconfigCredentialsId: [dev: 'kube-dev', staging: 'kube-staging', prod: 'kube-prod']] + extra
    }

    List<String> started() { h.callsTo('stageStart').collect { it.args[0] } }
    List<String> skipped() { h.callsTo('stageSkipped').collect { it.args[0] } }
    List<String> verbs() { cli().collect { argvOf(it)[0] } }
    Map podOf(String stage) { (Map) h.nodes.find { it.stage == stage } }
    List<Map> containers(Map node) { (List<Map>) ((Map) new Yaml().load((String) node.yaml)).spec.containers }

    void testFullRunOnThePrimaryBranch() {
        h.runStep('modelPipeline', standard())
        assert h.currentBuild.result == 'SUCCESS'
        assert started() == ['Plan', 'Validate', 'Build', 'Smoke', 'Perf', 'Promote']
        assert skipped() == ['Checks', 'Train']
        assert verbs() == ['plan', 'validate', 'build', 'smoke', 'perf', 'promote', 'promote', 'promote']
        assert h.callsTo('stage').collect { it.args[0] } == ['Promote dev', 'Promote staging', 'Approve prod', 'Promote prod']
        assert h.currentBuild.description == DIGEST + ' \u2192 dev, staging, prod'
    }

    void testArgumentsOfEachStageComeFromThePlan() {
        h.runStep('modelPipeline', standard(repository: 'model_repository', perf: [concurrency: [1, 4]], validate: [strict: true]))
        List<List> argvs = cli().collect { argvOf(it) }
        assert argvs[0] == ['plan', '--spec=tritonship.yaml']
        assert argvs[1] == ['validate', '--spec=tritonship.yaml', '--strict', '--', 'model_repository']
        assert argvs[2] == ['build', '--spec=tritonship.yaml', '--repository=model_repository']
        assert argvs[3] == ['smoke', '--spec=tritonship.yaml', '--url=localhost:8000']
        assert argvs[4] == ['perf', '--spec=tritonship.yaml', '--url=localhost:8000', '--concurrency=1,4',
                            '--baseline-from=prod']
        String kept = '--perf-result=reports/perf/result.json'
        assert argvs[5] == ['promote', '--spec=tritonship.yaml', '--env=dev', '--image=' + DIGEST, kept]
        assert argvs[6] == ['promote', '--spec=tritonship.yaml', '--env=staging', '--from=dev', kept]
        assert argvs[7] == ['promote', '--spec=tritonship.yaml', '--env=prod', '--from=staging', kept]
        assert cli()[2].env.TRITONSHIP_REGISTRY_PASSWORD == 'hunter2'
        assert new File(cli()[5].env.KUBECONFIG).text == 'dev'
        assert new File(cli()[7].env.KUBECONFIG).text == 'prod'
        assert !h.callsTo('sh').any { it.script.contains('hunter2') || it.script.contains('robot') }
        assert !h.callsTo('readYaml')  // the plan comes from the agent; no decision reads tritonship.yaml in Groovy
    }

    void testPlanParametersReachTheCli() {
        answers(plan: [[data: PLAN + [environments: [PLAN.environments[0]]]]])
        h.runStep('modelPipeline', standard(environments: ['dev'], approval: [], lockPrefix: 'team-', dryRun: true))
        assert argvOf(cli()[0]) == ['plan', '--spec=tritonship.yaml', '--env=dev', '--no-approval', '--lock-prefix=team-', '--dry-run']
    }

    void testSmokeAndPerfRunThePushedDigestAsAContainerOfTheirPod() {
        h.runStep('modelPipeline', standard(imagePullSecret: 'registry-pull'))
        ['Smoke', 'Perf'].each { String stage ->
            Map pod = podOf(stage)
            List<Map> cs = containers(pod)
            assert cs*.name == ['tritonship', 'model']
            assert cs[1].image == DIGEST
            assert cs[1].resources.limits.'nvidia.com/gpu' == 1
            assert cs[0].image == 'ghcr.io/tritonship/agent:0.1.0'
            assert pod.containers == ['tritonship']  // the CLI runs in the agent container, against localhost
            assert new Yaml().load((String) pod.yaml).spec.imagePullSecrets == [[name: 'registry-pull']]
        }
        assert cli().find { argvOf(it)[0] == 'smoke' }.cwd == podOf('Smoke').workspace.absolutePath
    }

    // what `tritonship plan --json` answers for a modelcar project, and build's result.json for it (hand-written,
    // the contract of build: `image` is the artifact pushed, the model image; `triton_image` the base by digest)
    static final String MODELS = 'registry.example.com/ml/example-models-models@sha256:' + 'cd' * 32
    static final String TRITON = 'nvcr.io/nvidia/tritonserver@sha256:' + 'ef' * 32
    static final Map MODELCAR_SERVE = [layout: 'modelcar', delivery: 'init-container', base_image: 'nvcr.io/nvidia/tritonserver:24.10-py3',
        init_command: ['/tritonship/bin/busybox', 'cp', '-R', '/models/.', '/mnt/tritonship-models'],
        shared_mount: '/mnt/tritonship-models', models_path: '/models',
        triton_command: ['tritonserver'],
        triton_args: ['--model-repository=/models', '--strict-readiness=true', '--allow-metrics=true',
                      '--metrics-config=summary_latencies=true', '--exit-on-error=true']]
    static final Map MODELCAR_BUILD = [layout: 'modelcar', image: MODELS, model_image: MODELS, triton_image: TRITON]

    void modelcar(Map build = MODELCAR_BUILD) {
        answers(plan: [[data: PLAN + [serve: MODELCAR_SERVE]]], build: [[data: build]])
    }

    void testModelcarSmokeAndPerfRunTheModelImageAsThePodDoes() {
        modelcar()
        h.runStep('modelPipeline', standard(imagePullSecret: 'registry-pull'))
        assert h.currentBuild.result == 'SUCCESS'
        ['Smoke', 'Perf'].each { String stage ->
            Map pod = podOf(stage)
            Map spec = (Map) ((Map) new Yaml().load((String) pod.yaml)).spec
            Map init = (Map) ((List) spec.initContainers)[0]
            assert ((List) spec.initContainers)*.name == ['models']
            assert init.image == MODELS && init.command == MODELCAR_SERVE.init_command
            assert init.volumeMounts == [[name: 'models', mountPath: '/mnt/tritonship-models']]
            List<Map> cs = (List<Map>) spec.containers
            assert cs*.name == ['tritonship', 'model']
            assert cs[1].image == TRITON && cs[1].command == ['tritonserver'] && cs[1].args == MODELCAR_SERVE.triton_args
            assert cs[1].volumeMounts.find { it.name == 'models' } == [name: 'models', mountPath: '/models', readOnly: true]
            assert cs[1].resources.limits.'nvidia.com/gpu' == 1
            assert spec.volumes.find { it.name == 'models' } == [name: 'models', emptyDir: [:]]
            assert spec.imagePullSecrets == [[name: 'registry-pull']]
            assert pod.containers == ['tritonship']
            assert !pod.yaml.contains('@MODEL') && !pod.yaml.contains('@TRITON') && !pod.yaml.contains('@INIT')
        }
        List<List> argvs = cli().collect { argvOf(it) }
        assert argvs[3] == ['smoke', '--spec=tritonship.yaml', '--url=localhost:8000']
        String kept = '--perf-result=reports/perf/result.json'
        assert argvs[5] == ['promote', '--spec=tritonship.yaml', '--env=dev', '--image=' + MODELS, '--triton-image=' + TRITON, kept]
        assert argvs[6] == ['promote', '--spec=tritonship.yaml', '--env=staging', '--from=dev', kept]
        assert h.currentBuild.description == MODELS + ' \u2192 dev, staging, prod'
    }

    void testPlanAndBuildMustAgreeOnTheLayout() {
        modelcar([image: DIGEST, layout: 'baked', triton_image: DIGEST, model_image: null])
        h.runStep('modelPipeline', standard())
        assert h.currentBuild.result == 'FAILURE'
        assert h.callsTo('stageError')[0].args == ['Build', 'modelPipeline: the plan runs the modelcar layout but the build ' +
                                                   'pushed a baked image; image.layout of tritonship.yaml decides both']
        assert !verbs().contains('smoke')
    }

    void testAModelcarPairNotPinnedByDigestIsNotTested() {
        modelcar(MODELCAR_BUILD + [triton_image: 'nvcr.io/nvidia/tritonserver:24.10-py3'])
        h.runStep('modelPipeline', standard())
        assert h.currentBuild.result == 'FAILURE'
        assert h.callsTo('stageError')[0].args[0] == 'Smoke'
        assert h.callsTo('stageError')[0].args[1].contains('the build returned triton_image nvcr.io/nvidia/tritonserver:24.10-py3, ' +
                                                           'not a name@sha256:digest')
        assert !verbs().contains('smoke')
    }

    void testAPlanCommandThatNeedsQuotingNeverReachesThePodYaml() {
        answers(plan: [[data: PLAN + [serve: MODELCAR_SERVE + [init_command: ['/bin/sh', '-c', 'cp "$X" /y']]]]],
                build: [[data: MODELCAR_BUILD]])
        h.runStep('modelPipeline', standard())
        assert h.currentBuild.result == 'FAILURE'
        assert h.callsTo('stageError')[0].args[1].contains('the plan gave cp "$X" /y, not a plain word for the pod YAML')
        assert !verbs().contains('smoke')
    }

    void testEveryStageHasItsOwnPodWithTheVersionedAgentImage() {
        h.baseEnv.'library.tritonship.version' = 'v1.4.2'
        h.runStep('modelPipeline', standard(train: 'true'))
        assert containers(podOf('Plan'))[0].image == 'ghcr.io/tritonship/agent:1.4.2'
        assert containers(podOf('Build'))[0].image == 'ghcr.io/tritonship/agent:1.4.2'
        assert containers(podOf('Build'))[0].env.find { it.name == 'STORAGE_DRIVER' }.value == 'vfs'
        assert containers(podOf('Train'))[0].image == 'ghcr.io/tritonship/agent-gpu:1.4.2'
        List<Map> pods = h.nodes.findAll { it.pod }
        assert pods*.label.unique().size() == pods.size()  // POD_LABEL: the plugin's unique label per pod template
        assert h.callsTo('podTemplate').every { !it.named.containsKey('label') }
        h.nodes.findAll { it.yaml }.each { assert !it.yaml.contains('@') || it.yaml.contains('@sha256:') }
    }

    void testAgentImagesCanBeGivenAndAreChecked() {
        h.runStep('modelPipeline', standard(agentImage: 'reg.example.com/tools/agent:2.0.0-rc1', gpuAgentImage: 'reg.example.com/tools/gpu:2'))
        assert containers(podOf('Validate'))[0].image == 'reg.example.com/tools/agent:2.0.0-rc1'
        h = new PipelineHarness(ROOT)
        assert failureOf { h.runStep('modelPipeline', standard(agentImage: 'x\n  privileged: true')) }.contains('AGENT_IMAGE is not an image reference')
    }

    void testLibraryBranchFallsBackToTheReleasedAgentImage() {
        h.baseEnv.'library.tritonship.version' = 'main'
        h.runStep('modelPipeline', standard())
        assert containers(podOf('Validate'))[0].image == 'ghcr.io/tritonship/agent:0.1.0'
    }

    void testApprovalIsAskedOutsideAnyPodWithItsOwnTimeoutThenPromotesUnderThePlannedLock() {
        h.runStep('modelPipeline', standard())
        List<Call> promoteRuns = cliScripts().findAll { it.named.label == 'tritonship promote' }
        assert promoteRuns*.locks == [['example-models-dev'], ['example-models-staging'], ['example-models-prod']]
        Call input = h.callsTo('input')[0]
        assert input.stage == 'Promote / Approve prod'
        assert input.node == null && input.locks.isEmpty()
        assert input.named.message == 'Promote ' + DIGEST + ' to prod?'
        assert h.callsTo('timeout').find { it.stage == 'Promote / Approve prod' }.named == [time: 1440, unit: 'MINUTES']
        int approveAt = h.calls.indexOf(input)
        int prodAt = h.calls.findIndexOf { it.name == 'lock' && it.named.resource == 'example-models-prod' }
        int stagingAt = h.calls.findIndexOf { it.name == 'lock' && it.named.resource == 'example-models-staging' }
        assert stagingAt < approveAt && approveAt < prodAt
        assert promoteRuns*.node*.label.unique().size() == 3  // each promotion step in a pod of its own
    }

    void testManualPauseIsAnsweredWhileNoPodIsHeld() {
        answers(promote: [[status: 'passed'], [status: 'passed'], [status: 'paused', data: [message: 'canary at 50%']], [status: 'passed']])
        h.runStep('modelPipeline', standard())
        assert h.currentBuild.result == 'SUCCESS'
        assert h.callsTo('input')*.node == [null, null]
        List<List> promoteArgv = cli().findAll { argvOf(it)[0] == 'promote' }.collect { argvOf(it) }
        assert promoteArgv.collect { List a -> a.findAll { !it.startsWith('--perf-result') }.last() } ==
            ['--image=' + DIGEST, '--from=dev', '--from=staging', '--resume']
        assert promoteArgv.every { List a -> a.contains('--perf-result=reports/perf/result.json') }  // the resume too
        List<Call> prodRuns = cliScripts().findAll { it.named.label == 'tritonship promote' && it.stage == 'Promote / Promote prod' }
        assert prodRuns*.node*.label.unique().size() == 2 && prodRuns*.locks == [['example-models-prod'], ['example-models-prod']]
    }

    void testRejectedApprovalStopsBeforeProd() {
        h.inputHandler = { Map a -> throw new PipelineAborted('Rejected by bob') }
        h.runStep('modelPipeline', standard())
        assert h.currentBuild.result == 'ABORTED'
        assert cli().findAll { argvOf(it)[0] == 'promote' }.collect { argvOf(it)[2] } == ['--env=dev', '--env=staging']
        assert h.currentBuild.description == DIGEST + ' \u2192 dev, staging'
    }

    void testDryRunNeverPromotesAndNeverPassesImageNull() {
        // the real CLI writes "image": null for a dry run; readJSON without returnPojo would make that a truthy JSONNull
        h.runStep('modelPipeline', standard(dryRun: true))
        assert h.currentBuild.result == 'SUCCESS'
        assert argvOf(cli()[2]) == ['build', '--spec=tritonship.yaml', '--dry-run']
        assert !cli().any { argvOf(it).any { it.contains('null') } }
        assert !verbs().contains('promote')
        assert argvOf(cli()[3]) == ['smoke', '--spec=tritonship.yaml']  // the checkout, on the GPU pod's Triton
        assert containers(podOf('Smoke'))*.name == ['tritonship']
        List<String> echoes = h.callsTo('echo')*.args*.get(0)
        assert echoes.contains('modelPipeline: dry run: no pushed image, so smoke tests the checkout, not the artifact that ships')
        assert echoes.contains('modelPipeline: no image digest to promote (the build was a dry run); promotion skipped')
    }

    void testTrainOutputIsWhatValidateAndBuildUse() {
        String train = 'echo weights > model_repository/add_sub/model.bin && echo scratch > scratch.txt'
        h.runStep('modelPipeline', standard(train: train, skip: ['perf']))
        assert h.callsTo('unstash').collect { it.stage } == ['Validate', 'Build']
        assert started() == ['Plan', 'Train', 'Validate', 'Build', 'Smoke', 'Promote']
        assert h.callsTo('stash')[0].named == [name: 'tritonship-model-repository', includes: 'model_repository/**']
        ['Validate', 'Build'].each { String stage ->
            assert new File(h.workspaceOf(stage), 'model_repository/add_sub/model.bin').text.trim() == 'weights'
            assert !new File(h.workspaceOf(stage), 'scratch.txt').exists()  // only the repository travels
        }
        assert containers(podOf('Train'))[0].resources.limits.'nvidia.com/gpu' == 1
    }

    void testWithoutAStashTrainOutputWouldBeLost() {
        h.runStep('modelPipeline', standard(checks: ['echo checked > checks.txt']))
        assert new File(h.workspaceOf('Checks'), 'checks.txt').exists()
        assert !new File(h.workspaceOf('Validate'), 'checks.txt').exists()  // each pod starts from a clean checkout
    }

    void testPostRecordsReportsInEveryStagesPodAndPublishesPerf() {
        h.runStep('modelPipeline', standard())
        assert h.callsTo('junit').collect { [it.stage, it.named.testResults] } == [
            ['Plan', 'reports/plan/junit.xml'], ['Validate', 'reports/validate/junit.xml'], ['Build', 'reports/build/junit.xml'],
            ['Smoke', 'reports/smoke/junit.xml'], ['Perf', 'reports/perf/junit.xml'],
            ['Promote / Promote dev', 'reports/promote-dev/junit.xml'], ['Promote / Promote staging', 'reports/promote-staging/junit.xml'],
            ['Promote / Promote prod', 'reports/promote-prod/junit.xml']]
        assert h.callsTo('junit').every { it.node != null }
        Call html = h.callsTo('publishHTML').find { it.stage == 'Perf' }
        assert html.named.target.reportDir == 'reports/perf' && html.named.target.keepAll
        assert h.callsTo('publishHTML').find { it.stage == 'Smoke' }.named.target.reportDir == 'reports/smoke'
        assert h.callsTo('publishHTML').findAll { it.named.target.reportName.startsWith('Promote ') }
                .collect { it.named.target.reportDir } == ['reports/promote-dev', 'reports/promote-staging', 'reports/promote-prod']
    }

    void testPerfComparesWithWhatRunsInTheLastEnvironmentAndPromotionsKeepItsResult() {
        h.runStep('modelPipeline', standard())
        Map perf = cli().find { argvOf(it)[0] == 'perf' }
        assert argvOf(perf).contains('--baseline-from=prod')
        assert perf.env.KUBECONFIG  // the prod kubeconfig is bound to read the kept result
        List<List> promotes = cli().findAll { argvOf(it)[0] == 'promote' }.collect { argvOf(it) }
        assert promotes.size() == 3
        assert promotes.every { it.contains('--perf-result=reports/perf/result.json') }
        assert h.callsTo('unstash').count { it.args[0] == 'tritonship-perf-result' } == 3
    }

    void testAnExplicitPerfBaselineReplacesBaselineFrom() {
        h.runStep('modelPipeline', standard(perf: [baseline: 'last/result.json']))
        List argv = argvOf(cli().find { argvOf(it)[0] == 'perf' })
        assert !argv.any { it.startsWith('--baseline-from') } && argv.contains('--baseline=last/result.json')
    }

    void testSmokeGateFailureStopsThePipelineButStillRecords() {
        answers(smoke: [[exit_code: 1, data: [error: [message: 'add_sub: output OUTPUT0 has NaN']]]])
        h.runStep('modelPipeline', standard())
        assert h.currentBuild.result == 'FAILURE'
        assert started() == ['Plan', 'Validate', 'Build', 'Smoke']
        assert h.callsTo('stageError')[0].args == ['Smoke', 'tritonship smoke failed a gate: add_sub: output OUTPUT0 has NaN']
        assert h.callsTo('junit').find { it.stage == 'Smoke' }.named.testResults == 'reports/smoke/junit.xml'
        assert !verbs().contains('promote') && h.currentBuild.description == null
    }

    void testPromotionFailureInStagingKeepsWhatReachedDev() {
        answers(promote: [[status: 'passed'], [exit_code: 3, status: 'error', data: [error: [message: 'cannot reach the cluster']]]])
        h.runStep('modelPipeline', standard())
        assert h.currentBuild.result == 'FAILURE'
        assert h.currentBuild.description == DIGEST + ' \u2192 dev'
        assert h.callsTo('stageError')[0].args[1] == 'tritonship promote: infrastructure error (exit 3): cannot reach the cluster'
    }

    void testFeatureBranchNeverPromotesAndAllowsConcurrentBuilds() {
        h.baseEnv.BRANCH_NAME = 'feature/faster-model'
        h.runStep('modelPipeline', standard())
        assert started() == ['Plan', 'Validate', 'Build', 'Smoke', 'Perf']
        assert skipped().contains('Promote') && !verbs().contains('promote')
        assert h.callsTo('properties').isEmpty()
    }

    void testTagsPromoteAndTheBuildHasItsOptions() {
        h.baseEnv.BRANCH_NAME = 'v1.2.0'
        h.baseEnv.TAG_NAME = 'v1.2.0'
        h.runStep('modelPipeline', standard(buildsToKeep: 5))
        assert verbs().count { it == 'promote' } == 3
        List options = h.callsTo('pipeline')[0].options
        assert options.find { it.name == 'timeout' }.args[0] == [time: 2880, unit: 'MINUTES']
        assert options.find { it.name == 'logRotator' }.args[0] == [numToKeepStr: '5']
        assert options*.name.contains('timestamps')
    }

    // ---- checks at the start -----------------------------------------------------------------------------------

    String helpPage() { new File(ROOT, 'vars/modelPipeline.txt').text }

    void testEveryParameterHasItsLineOnTheHelpPage() {
        Map params = io.tritonship.PipelineChecks.PARAMS
        params.each { String name, List p ->
            assert helpPage().contains('<dt>' + name + '</dt><dd>' + p[2].replace('<', '&lt;').replace('>', '&gt;') + '</dd>')
        }
    }

    void testWrongTypeUnknownKeyAndBadValuesFailBeforeAnythingRuns() {
        String msg = failureOf { h.runStep('modelPipeline', standard(timeoutMinutes: '90')) }
        assert msg.startsWith('modelPipeline: parameter timeoutMinutes must be Integer, not String 90\n  help: timeoutMinutes \u2014 ')
        assert helpPage().contains(msg.readLines()[1].split(' \u2014 ', 2)[1])
        h = new PipelineHarness(ROOT)
        assert failureOf { h.runStep('modelPipeline', [unrelated: 'x']) }.startsWith('modelPipeline: unknown parameter(s) unrelated')
        h = new PipelineHarness(ROOT)
        assert failureOf { h.runStep('modelPipeline', [timeoutMinuts: 90]) } ==
            'modelPipeline: unknown parameter timeoutMinuts (did you mean timeoutMinutes?)\n  help: timeoutMinutes \u2014 ' +
            'Whole-build window in minutes; must cover every stage window, approval and pause (checked at the start).'
        h = new PipelineHarness(ROOT)
        assert failureOf { h.runStep('modelPipeline', [kubeconfig: 'k']) }.contains('did you mean kubeconfigCredentialsId?')
        h = new PipelineHarness(ROOT)
        assert failureOf { h.runStep('modelPipeline', [skip: ['validate']]) }.startsWith('modelPipeline: skip accepts smoke, perf, not validate\n  help: skip')
        h = new PipelineHarness(ROOT)
        assert failureOf { h.runStep('modelPipeline', [environments: 'prod']) }.contains('parameter environments must be List')
        h = new PipelineHarness(ROOT)
        assert failureOf { h.runStep('modelPipeline', [agents: [tpu: [:]]]) }.contains('agents has roles standard, builder, gpu, serve, modelcar, not tpu')
        assert h.callsTo('sh').isEmpty() && h.callsTo('pipeline').isEmpty()
    }

    void testAnEnvironmentMissingFromTheSpecFailsAtPlanBeforeAnyBuild() {
        answers(plan: [[exit_code: 2, status: 'error', data: [error: [message: "--env 'qa': tritonship.yaml has no such environment"]]]])
        h.runStep('modelPipeline', standard(environments: ['dev', 'qa']))
        assert h.currentBuild.result == 'FAILURE'
        String msg = h.callsTo('stageError')[0].args[1]
        assert msg.startsWith("modelPipeline: tritonship plan: bad input (exit 2): --env 'qa': tritonship.yaml has no such environment")
        assert msg.contains('help: environments \u2014 ')
        assert verbs() == ['plan']
    }

    void testEveryPlannedEnvironmentNeedsAKubeconfigUnlessInCluster() {
        h.runStep('modelPipeline', standard(kubeconfigCredentialsId: [dev: 'kube-dev']))
        assert h.callsTo('stageError')[0].args[1].startsWith('modelPipeline: kubeconfigCredentialsId has no credential for staging, prod')
        assert verbs() == ['plan']
        setUpAgain()
        h.runStep('modelPipeline', [registryCredentialsId: 'push', inCluster: true])
        assert h.currentBuild.result == 'SUCCESS'
        assert cli().findAll { argvOf(it)[0] == 'promote' }.every { !it.env.KUBECONFIG }
    }

    void setUpAgain() {
        h.cleanup()
        h = new PipelineHarness(ROOT)
        new File(h.workspace, 'tritonship.yaml').text = new File(ROOT, 'examples/tritonship.yaml').text
        h.credentials['push'] = [username: 'robot', password: 'hunter2']
        answers([:])
    }

    void testABuildWindowShorterThanTheDocumentedWaitsFailsAtPlan() {
        h.runStep('modelPipeline', standard(timeoutMinutes: 240))
        String msg = h.callsTo('stageError')[0].args[1]
        assert msg.startsWith('modelPipeline: timeoutMinutes 240 would cut a documented wait short: 5 stage(s) and 3 promotion(s) of ' +
                              '120 min, 1 approval(s) of 1440 min and 0 pause(s) of 1440 min need 2400')
        assert verbs() == ['plan']
    }

    void testAMissingPluginFailsBeforeAnyWorkAndNamesIt() {
        h.missingSteps << 'readJSON' << 'lock'
        String msg = failureOf { h.runStep('modelPipeline', standard()) }
        assert msg == 'modelPipeline: missing Jenkins step(s) readJSON (plugin pipeline-utility-steps), lock (plugin lockable-resources); ' +
                      'install the plugins in plugins.txt'
        assert h.callsTo('sh').isEmpty()
    }

    void testCallingModelPipelineTwiceFails() {
        h.runStep('modelPipeline', standard())
        assert failureOf { h.runStep('modelPipeline', standard()) }.startsWith('modelPipeline: called twice in one build')
    }
}
