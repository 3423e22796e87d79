/** The public steps: exact argument vectors, credentials, validation, promote's pause/resume/abort. */
class StepsTest extends PipelineTest {

    void testValidateArgv() {
        h.runStep('tritonValidate', [spec: 'ci/tritonship.yaml', strict: true, repository: '-weird dir'])
        assert argvOf(cli()[0]) == ['validate', '--spec=ci/tritonship.yaml', '--strict', '--', '-weird dir']
        assert cli()[0].argv[0] == '--report-dir=reports/validate'
    }

    void testValidateDefaultsPassNothing() {
        h.runStep('tritonValidate')
        assert argvOf(cli()[0]) == ['validate']
    }

    void testBuildArgvAndRegistryCredentials() {
        h.credentials['push'] = [username: 'robot', password: 'hunter2']
        Map r = h.runStep('tritonBuild', [spec: 'tritonship.yaml', registry: 'reg.example.com:5000/ml', name: 'm',
                                          baseImage: 'nvcr.io/nvidia/tritonserver:24.10-py3', builder: 'buildah',
                                          tags: ['latest', 'v1'], insecureRegistry: true, force: true, registryCredentialsId: 'push'])
        assert r.image == 'registry.example.com/ml/example-models@sha256:' + 'ab' * 32
        assert argvOf(cli()[0]) == ['build', '--spec=tritonship.yaml', '--registry=reg.example.com:5000/ml', '--name=m',
                                    '--base-image=nvcr.io/nvidia/tritonserver:24.10-py3', '--builder=buildah',
                                    '--tag=latest', '--tag=v1', '--insecure-registry', '--force']
        assert cli()[0].env.TRITONSHIP_REGISTRY_USER == 'robot'
        assert cli()[0].env.TRITONSHIP_REGISTRY_PASSWORD == 'hunter2'
        assert !h.callsTo('sh').any { it.script.contains('hunter2') }
    }

    void testBuildDryRun() {
        h.runStep('tritonBuild', [dryRun: true])
        assert argvOf(cli()[0]) == ['build', '--dry-run']
    }

    void testSmokeArgv() {
        h.runStep('tritonSmokeTest', [repository: 'model_repository', models: ['add_sub', 'text_upper'], protocol: 'both',
                                      golden: 'golden', requireGpu: true, timeout: 300])
        assert argvOf(cli()[0]) == ['smoke', '--repository=model_repository', '--models=add_sub,text_upper',
                                    '--protocol=both', '--golden=golden', '--require-gpu', '--timeout=300']
        assert cli()[0].argv[0] == '--report-dir=reports/smoke'
    }

    void testSmokeTargetsAreExclusive() {
        assert failureOf { h.runStep('tritonSmokeTest', [repository: 'r', url: 'h:8000']) } ==
            'tritonSmokeTest: give one of repository, url or image, not repository and url'
        assert cli().isEmpty()
    }

    void testPerfArgv() {
        h.runStep('tritonPerfTest', [url: 'triton:8000', model: 'add_sub', concurrency: [1, 4, 16], protocol: 'grpc',
                                     batch: 8, baseline: 'baseline/result.json'])
        assert argvOf(cli()[0]) == ['perf', '--url=triton:8000', '--model=add_sub', '--concurrency=1,4,16',
                                    '--protocol=grpc', '--batch=8', '--baseline=baseline/result.json']
        h.runStep('tritonPerfTest', [repository: 'model_repository', rate: '100,500'])
        assert argvOf(cli()[1]) == ['perf', '--repository=model_repository', '--rate=100,500']
        assert failureOf { h.runStep('tritonPerfTest', [concurrency: [1], rate: [10]]) }.contains('concurrency or rate')
    }

    void testModelImageReachesSmokeAndPerfWithItsPullCredential() {
        h.credentials['pull'] = [username: 'puller', password: 's3cret']
        String models = 'reg.example.com/ml/m-models@sha256:' + 'ef' * 32
        String triton = 'nvcr.io/nvidia/tritonserver@sha256:' + '12' * 32
        h.runStep('tritonSmokeTest', [image: triton, modelImage: models, registryCredentialsId: 'pull'])
        assert argvOf(cli()[0]) == ['smoke', '--image=' + triton, '--model-image=' + models]
        assert cli()[0].env.TRITONSHIP_REGISTRY_USER == 'puller'
        h.runStep('tritonPerfTest', [modelImage: models, model: 'add_sub', registryCredentialsId: 'pull'])
        assert argvOf(cli()[1]) == ['perf', '--model-image=' + models, '--model=add_sub']
        assert cli()[1].env.TRITONSHIP_REGISTRY_PASSWORD == 's3cret'
        assert !h.callsTo('sh').any { it.script.contains('s3cret') }
        assert failureOf { h.runStep('tritonSmokeTest', [url: 'h:8000', modelImage: models]) }.contains('modelImage brings the models')
        assert failureOf { h.runStep('tritonPerfTest', [repository: 'r', modelImage: models]) }.contains('one of repository, url or modelImage')
        assert cli().size() == 2
    }

    void testPromoteAModelcarPair() {
        String models = 'reg.example.com/ml/m-models@sha256:' + 'ef' * 32
        String triton = 'nvcr.io/nvidia/tritonserver@sha256:' + '12' * 32
        h.runStep('tritonPromote', [env: 'dev', image: models, tritonImage: triton, inCluster: true])
        assert argvOf(cli()[0]) == ['promote', '--env=dev', '--image=' + models, '--triton-image=' + triton]
        assert failureOf { h.runStep('tritonPromote', [env: 'dev', from: 'x', tritonImage: triton, inCluster: true]) }
            .contains('tritonImage goes with image (the model image); from promotes the pair recorded there')
    }

    void testHostileValuesInEveryStepStayLiteral() {
        String evil = "x'; touch pwned; echo '\$(touch pwned2)`touch pwned3`\nrm -rf /"
        h.runStep('tritonValidate', [spec: evil, repository: evil])
        h.runStep('tritonBuild', [name: evil, registry: evil])
        h.runStep('tritonSmokeTest', [url: evil, models: [evil]])
        h.runStep('tritonPerfTest', [model: evil])
        h.runStep('tritonPromote', [env: evil, image: evil, inCluster: true])
        h.runStep('tritonRollback', [env: evil, to: evil])
        List<List> argvs = cli().collect { argvOf(it) }
        assert argvs[0] == ['validate', '--spec=' + evil, '--', evil]
        assert argvs[1] == ['build', '--registry=' + evil, '--name=' + evil]
        assert argvs[2] == ['smoke', '--url=' + evil, '--models=' + evil]
        assert argvs[3] == ['perf', '--model=' + evil]
        assert argvs[4] == ['promote', '--env=' + evil, '--image=' + evil]
        assert argvs[5] == ['rollback', '--env=' + evil, '--to=' + evil]
        assert cli()[4].argv[0] == '--report-dir=reports/promote-' + evil
        ['pwned', 'pwned2', 'pwned3'].each { assert !new File(h.workspace, it).exists() }
    }

    void testUnknownKeysAreRejectedWithTheKnownOnes() {
        String msg = failureOf { h.runStep('tritonBuild', [registy: 'r']) }
        assert msg.startsWith('tritonBuild: unknown parameter(s) registy (known: spec, repository, registry,')
        assert failureOf { h.runStep('tritonPromote', [env: 'dev', image: 'i', enviroment: 'x', inCluster: true]) }.contains('unknown parameter(s) enviroment')
        assert cli().isEmpty()
    }

    void testPromoteArgvAndClusterCredentials() {
        h.credentials['kube-dev'] = [content: 'kind: Config\ntoken: abc\n']
        h.credentials['hook'] = [secret: 'https://hooks.example.com/XYZ']
        h.runStep('tritonPromote', [spec: 'tritonship.yaml', env: 'dev', image: 'reg/m@sha256:' + 'cd' * 32, waitLock: 60,
                                    skipPreflight: ['image', 'rbac'], kubeconfigCredentialsId: 'kube-dev',
                                    webhookCredentialsId: 'hook', prometheusUrl: 'http://prometheus:9090'])
        assert argvOf(cli()[0]) == ['promote', '--spec=tritonship.yaml', '--env=dev', '--image=reg/m@sha256:' + 'cd' * 32,
                                    '--wait-lock=60', '--skip-preflight=image', '--skip-preflight=rbac']
        assert cli()[0].argv[0] == '--report-dir=reports/promote-dev'
        Map env = cli()[0].env
        assert new File(env.KUBECONFIG).text == 'kind: Config\ntoken: abc\n'
        assert env.TRITONSHIP_WEBHOOK_URL == 'https://hooks.example.com/XYZ'
        assert env.TRITONSHIP_PROMETHEUS_URL == 'http://prometheus:9090'
        assert !h.callsTo('sh').any { it.script.contains('XYZ') || it.script.contains('token: abc') }
    }

    void testPromoteNeedsEnvAndExactlyOneSource() {
        assert failureOf { h.runStep('tritonPromote', [image: 'i']) } == 'tritonPromote: missing required parameter(s) env'
        assert failureOf { h.runStep('tritonPromote', [env: 'dev', image: 'i']) }.startsWith('tritonPromote: kubeconfigCredentialsId is required for dev')
        assert failureOf { h.runStep('tritonPromote', [env: 'dev', image: 'i', inCluster: true, kubeconfigCredentialsId: 'k']) }.contains('not both')
        assert failureOf { h.runStep('tritonPromote', [env: 'dev', inCluster: true]) }.contains('give image (name@sha256:...) or from')
        assert failureOf { h.runStep('tritonPromote', [env: 'dev', image: 'i', from: 'x', inCluster: true]) }.contains('not both')
        h.runStep('tritonPromote', [env: 'staging', from: 'dev', dryRun: true, inCluster: true])
        assert argvOf(cli()[0]) == ['promote', '--env=staging', '--from=dev', '--dry-run']
    }

    void testPromoteRetryPassesRetryOnlyToTheFirstCall() {
        h.runStep('tritonPromote', [env: 'dev', image: 'reg/m@sha256:' + 'cd' * 32, retry: true, inCluster: true])
        assert argvOf(cli()[0]) == ['promote', '--env=dev', '--image=reg/m@sha256:' + 'cd' * 32, '--retry']
        h.runStep('tritonPromote', [env: 'dev', image: 'i', inCluster: true])
        assert !argvOf(cli()[1]).contains('--retry')
        assert failureOf { h.runStep('tritonPromote', [env: 'dev', image: 'i', retry: 'yes', inCluster: true]) } ==
               'tritonPromote: retry must be true or false, not yes'
    }

    /** tritonPromote as modelPipeline calls it: outside any agent, each CLI call on an agent of its own. */
    Map promoteOutsideAgents(Map args) {
        h.node = null
        Closure runIn = { Closure body -> h.invokeStep('node', ['agent', { h.invokeStep('checkout', [[:]] as Object[]); body() }] as Object[]) }
        return (Map) h.runStep('tritonPromote', args + [inCluster: true, runIn: runIn])
    }

    void testPausedPromotionAsksInsideAnAgentIsRefusedByTheHarness() {
        plan(promote: [[status: 'paused'], [status: 'passed']])
        assert failureOf { h.runStep('tritonPromote', [env: 'prod', image: 'i', inCluster: true]) }.startsWith('input while holding agent')
    }

    void testPausedPromotionAsksThenResumes() {
        plan(promote: [[status: 'paused', data: [step: 3, message: 'canary at 50%: waiting for a person']], [status: 'passed']])
        List asked = []
        h.inputHandler = { Map a -> asked << a; 'resume' }
        Map r = promoteOutsideAgents([env: 'prod', image: 'i', submitter: 'release-managers'])
        assert r.status == 'passed'
        assert cli().collect { argvOf(it) } == [['promote', '--env=prod', '--image=i'], ['promote', '--env=prod', '--resume']]
        assert asked.size() == 1
        assert asked[0].message == 'Promotion to prod is paused: canary at 50%: waiting for a person. Continue?'
        assert asked[0].submitter == 'release-managers'
        assert asked[0].parameters[0].choices == ['resume', 'abort']
        assert h.callsTo('timeout')[0].named == [time: 1440, unit: 'MINUTES']
        assert cli()[1].argv[0] == '--report-dir=reports/promote-prod'
        assert h.callsTo('input')[0].node == null
        assert cli()*.cwd.unique().size() == 2  // one agent per CLI call
    }

    void testPausedPromotionCanBeAborted() {
        plan(promote: [[status: 'paused'], [status: 'passed', data: [aborted: true]]])
        h.inputHandler = { Map a -> 'abort' }
        promoteOutsideAgents([env: 'prod', image: 'i'])
        assert cli().collect { argvOf(it).last() } == ['--image=i', '--abort']
    }

    void testRejectedInputAbortsThePromotionThenFails() {
        plan(promote: [[status: 'paused'], [status: 'passed']])
        h.inputHandler = { Map a -> throw new PipelineAborted('Rejected by alice') }
        assert failureOf { promoteOutsideAgents([env: 'prod', image: 'i']) } == 'Rejected by alice'
        assert cli().collect { argvOf(it).last() } == ['--image=i', '--abort']
    }

    void testGrafanaTokenReachesPromoteAndRollbackOnlyAsAnEnvironmentVariable() {
        h.credentials['grafana'] = [secret: 'glsa_GRAFANA-SECRET']
        h.runStep('tritonPromote', [env: 'dev', image: 'i', inCluster: true, grafanaTokenCredentialsId: 'grafana'])
        h.runStep('tritonRollback', [env: 'dev', grafanaTokenCredentialsId: 'grafana'])
        assert cli().collect { it.env.TRITONSHIP_GRAFANA_TOKEN } == ['glsa_GRAFANA-SECRET', 'glsa_GRAFANA-SECRET']
        assert !h.callsTo('sh').any { it.script.contains('GRAFANA-SECRET') }
        h.runStep('tritonPromote', [env: 'dev', image: 'i', inCluster: true])
        assert cli()[2].env.TRITONSHIP_GRAFANA_TOKEN == null
    }

    void testRetriedPromotionThatPausesResumesWithoutRetry() {
        plan(promote: [[status: 'paused'], [status: 'passed']])
        promoteOutsideAgents([env: 'prod', image: 'i', retry: true])
        assert cli().collect { argvOf(it) } == [['promote', '--env=prod', '--image=i', '--retry'],
                                                ['promote', '--env=prod', '--resume']]
    }

    void testSeveralPausesResumeUntilDone() {
        plan(promote: [[status: 'paused'], [status: 'paused'], [status: 'passed']])
        promoteOutsideAgents([env: 'prod', image: 'i'])
        assert cli().collect { argvOf(it).last() } == ['--image=i', '--resume', '--resume']
        assert h.callsTo('input').size() == 2
    }

    void testFailedAnalysisFailsTheStage() {
        plan(promote: [[exit_code: 1, data: [error: [message: 'analysis failed: success-rate 0.91 < 0.99; rolled back']]]])
        assert failureOf { h.runStep('tritonPromote', [env: 'prod', image: 'i', inCluster: true]) } ==
            'tritonship promote failed a gate: analysis failed: success-rate 0.91 < 0.99; rolled back'
    }

    void testRollbackArgv() {
        h.credentials['kube'] = [content: 'kind: Config']
        h.runStep('tritonRollback', [env: 'prod', to: 7, waitLock: 30, kubeconfigCredentialsId: 'kube'])
        assert argvOf(cli()[0]) == ['rollback', '--env=prod', '--to=7', '--wait-lock=30']
        assert cli()[0].argv[0] == '--report-dir=reports/rollback-prod'
        assert cli()[0].env.KUBECONFIG
        assert failureOf { h.runStep('tritonRollback', [:]) }.contains('missing required parameter(s) env')
    }
}
