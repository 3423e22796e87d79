/** vars/tritonship.groovy: argv, quoting, credentials, report dir, exit codes. */
class TritonshipStepTest extends PipelineTest {

    void testRunsTheCliWithReportDirAndVerbAndReturnsResultJson() {
        Map result = h.runStep('tritonship', [verb: 'validate', args: ['--strict']])
        assert result.status == 'passed'
        assert result.verb == 'validate'
        assert cli().size() == 1
        assert cli()[0].argv == ['--report-dir=reports/validate', 'validate', '--strict']
        Call sh = cliScripts()[0]
        assert sh.script.startsWith("rm -f -- 'reports/validate/result.json'\n")
        assert sh.script.contains("'--report-dir=reports/validate' 'validate' '--strict'")
        assert h.callsTo('readJSON')[0].named.file == 'reports/validate/result.json'
    }

    void testQuoteEscapesSingleQuotes() {
        def ts = h.binding.getVariable('tritonship')
        assert ts.quote("it's") == "'it'\\''s'"
        assert ts.quote('$(id)') == "'\$(id)'"
        assert ts.command(['a b', "c'd"]) == "'a b' 'c'\\''d'"
    }

    void testHostileValuesReachTheCliAsSingleLiteralArguments() {
        List hostile = ['x; rm -rf /', '$(id)', '`id`', "it's \"quoted\"", 'line1\nline2', '$HOME ${PATH}', '-rf', '\\', "'", '*', '&& touch pwned']
        Map result = h.runStep('tritonship', [verb: 'build', args: hostile])
        assert result.status == 'passed'
        assert cli()[0].argv == ['--report-dir=reports/build', 'build'] + hostile
        assert !new File(h.workspace, 'pwned').exists()
        assert h.callsTo('sh').every { it.rc == 0 }
    }

    void testHostileReportDirIsOneArgument() {
        h.runStep('tritonship', [verb: 'smoke', reportDir: "reports/a b; touch pwned"])
        assert cli()[0].argv[0] == '--report-dir=reports/a b; touch pwned'
        assert !new File(h.workspace, 'pwned').exists()
    }

    void testCredentialsOnlyAsEnvironmentVariablesNeverInScriptText() {
        h.credentials['reg'] = [username: 'robot', password: "S3cr3t'\$(id)"]
        h.credentials['kube'] = [content: 'apiVersion: v1\nkind: Config\n']
        h.credentials['hook'] = [secret: 'https://hooks.example.com/T0KEN']
        h.runStep('tritonship', [verb: 'promote', args: ['--env=dev'], credentials: [
            [type: 'usernamePassword', id: 'reg', usernameVariable: 'TRITONSHIP_REGISTRY_USER', passwordVariable: 'TRITONSHIP_REGISTRY_PASSWORD'],
            [type: 'file', id: 'kube', variable: 'KUBECONFIG'],
            [type: 'string', id: 'hook', variable: 'TRITONSHIP_WEBHOOK_URL']]])
        Map seen = cli()[0].env
        assert seen.TRITONSHIP_REGISTRY_USER == 'robot'
        assert seen.TRITONSHIP_REGISTRY_PASSWORD == "S3cr3t'\$(id)"
        assert seen.TRITONSHIP_WEBHOOK_URL == 'https://hooks.example.com/T0KEN'
        assert new File(seen.KUBECONFIG).text.contains('kind: Config') || seen.KUBECONFIG
        List secrets = ['robot', "S3cr3t'\$(id)", 'T0KEN', 'kind: Config']
        h.callsTo('sh').each { Call sh -> secrets.each { assert !sh.script.contains(it) } }
        assert !cli()[0].argv.any { arg -> secrets.any { arg.contains(it) } }
        assert h.callsTo('usernamePassword')[0].named == [credentialsId: 'reg', usernameVariable: 'TRITONSHIP_REGISTRY_USER', passwordVariable: 'TRITONSHIP_REGISTRY_PASSWORD']
    }

    void testMissingCredentialFailsTheStep() {
        String msg = failureOf { h.runStep('tritonship', [verb: 'build', credentials: [[type: 'string', id: 'nope', variable: 'X']]]) }
        assert msg.contains("'nope'")
        assert cli().isEmpty()
    }

    void testGateFailureFailsTheStageAndKeepsTheResultOnDisk() {
        plan(smoke: [[exit_code: 1, data: [failed_models: ['add_sub']]]])
        String msg = failureOf { h.runStep('tritonship', [verb: 'smoke']) }
        assert msg == 'tritonship smoke failed a gate: status failed (see result.json)'
        assert new File(h.workspace, 'reports/smoke/result.json').text.contains('add_sub')
        plan(smoke: [[exit_code: 1, data: [summary: '2 of 5 models failed']]])
        assert failureOf { h.runStep('tritonship', [verb: 'smoke']) } == 'tritonship smoke failed a gate: 2 of 5 models failed'
    }

    void testGateFailureCanMarkUnstableOrReturn() {
        plan(perf: [[exit_code: 1], [exit_code: 1]])
        Map r = h.runStep('tritonship', [verb: 'perf', onGateFailure: 'unstable'])
        assert r.status == 'failed'
        assert h.currentBuild.result == 'UNSTABLE'
        assert h.callsTo('unstable').size() == 1
        Map r2 = h.runStep('tritonship', [verb: 'perf', onGateFailure: 'return'])
        assert r2.exit_code == 1
    }

    void testBadInputAndInfrastructureErrorsNameTheCliMessage() {
        plan(build: [[exit_code: 2, status: 'error', data: [error: [kind: 'bad_input', message: 'tritonship.yaml:3: image.registy: unknown key']]]],
             promote: [[exit_code: 3, status: 'error', data: [error: [kind: 'infrastructure', message: 'cannot reach the cluster']]]])
        assert failureOf { h.runStep('tritonship', [verb: 'build']) } ==
            'tritonship build: bad input (exit 2): tritonship.yaml:3: image.registy: unknown key'
        assert failureOf { h.runStep('tritonship', [verb: 'promote']) } ==
            'tritonship promote: infrastructure error (exit 3): cannot reach the cluster'
    }

    void testNoResultJsonIsAnError() {
        plan(validate: [[exit_code: 0, no_result: true]])
        assert failureOf { h.runStep('tritonship', [verb: 'validate']) }.contains('wrote no reports/validate/result.json')
    }

    void testStaleResultJsonIsRemovedBeforeTheRun() {
        new File(h.workspace, 'reports/validate').mkdirs()
        new File(h.workspace, 'reports/validate/result.json').text = '{"status": "passed", "exit_code": 0}'
        plan(validate: [[exit_code: 3, no_result: true]])
        assert failureOf { h.runStep('tritonship', [verb: 'validate']) }.contains('infrastructure error (exit 3)')
    }

    void testUnknownParameterIsRejected() {
        String msg = failureOf { h.runStep('tritonship', [verb: 'build', arg: ['x']]) }
        assert msg.startsWith('tritonship: unknown parameter(s) arg')
        assert h.callsTo('sh').isEmpty()
    }

    void testVerbIsRequiredAndEnvNamesChecked() {
        assert failureOf { h.runStep('tritonship', [:]) }.contains('verb is required')
        assert failureOf { h.runStep('tritonship', [verb: 'build', env: ['A;B': '1']]) }.contains('invalid environment variable name')
    }

    void testExtraEnvironmentReachesTheCli() {
        h.runStep('tritonship', [verb: 'promote', env: [TRITONSHIP_PROMETHEUS_URL: 'http://prom:9090']])
        assert cli()[0].env.TRITONSHIP_PROMETHEUS_URL == 'http://prom:9090'
    }

    void testAgentOnPathModeFailsClearlyWhenMissing() {
        h.shHandler = { Call c -> c.named.label == 'tritonship: agent' ? h.bash(c.script, c.env + [PATH: '/nonexistent']) : [rc: 0] }
        assert failureOf { h.runStep('tritonship', [verb: 'validate', agent: [install: 'path']]) } == 'script returned exit code 127'
        assert h.callsTo('sh').size() == 1
        assert h.callsTo('sh')[0].env.TRITONSHIP_AGENT_INSTALL == 'path'
    }

    void testAgentPipModeNeedsAnExplicitIndexAndHashedRequirements() {
        String msg = failureOf { h.runStep('tritonship', [verb: 'validate', agent: [install: 'pip']]) }
        assert msg.startsWith('tritonship: agent.install = pip needs indexUrl')
        assert failureOf { h.runStep('tritonship', [verb: 'validate', agent: [install: 'pip', indexUrl: 'pypi.org', requirements: 'r.txt']]) }
            .contains('needs indexUrl')
        assert failureOf { h.runStep('tritonship', [verb: 'validate', agent: [install: 'venv']]) }.contains('agent.install must be path or pip')
        assert failureOf { h.runStep('tritonship', [verb: 'validate', agent: [requirement: 'tritonship==0.1.0']]) }
            .contains('unknown parameter(s) requirement')
        assert h.callsTo('sh').isEmpty()
    }

    void testTheDefaultNeverInstallsAnything() {
        h.runStep('tritonship', [verb: 'validate'])
        Call agent = h.callsTo('sh')[0]
        assert agent.env.TRITONSHIP_AGENT_INSTALL == 'path'
        assert agent.stdout.trim() == new File(h.fakeBin, 'tritonship').absolutePath
        assert !agent.script.contains('pip install') || agent.script.indexOf('pip') > agent.script.indexOf('exit 127')
    }

    void testAgentIsInstalledFromTheNamedIndexWithHashesBeforeAnyCredentialIsBound() {
        File fakePython = new File(h.workspace, '.fake-python/python3')
        fakePython.parentFile.mkdirs()
        fakePython.text = """#!/bin/bash
# stands in for: python3 -m venv DIR (a venv whose pip 'installs' the fake tritonship)
[ "\$1 \$2" = "-m venv" ] || exit 64
mkdir -p "\$3/bin"
printf '#!/bin/bash\\necho "\$*" >> "%s/pip.log"\\ncp "%s" "%s/bin/tritonship"\\n' "\$3" "${new File(h.fakeBin, 'tritonship').absolutePath}" "\$3" > "\$3/bin/pip"
chmod +x "\$3/bin/pip"
"""
        fakePython.setExecutable(true)
        new File(h.workspace, 'agent.lock').text = 'tritonship==0.1.0 --hash=sha256:' + 'a' * 64 + '\n'
        h.baseEnv.PATH = fakePython.parent + ':/usr/bin:/bin'
        h.credentials['push'] = [username: 'robot', password: 'hunter2']
        Map pip = [install: 'pip', indexUrl: 'https://pypi.internal.example.com/simple', requirements: 'agent.lock']
        h.runStep('tritonship', [verb: 'validate', agent: pip])
        h.runStep('tritonship', [verb: 'build', agent: pip, credentials: [[type: 'usernamePassword', id: 'push',
                                  usernameVariable: 'TRITONSHIP_REGISTRY_USER', passwordVariable: 'TRITONSHIP_REGISTRY_PASSWORD']]])
        File pipLog = new File(h.workspace, '.tritonship/venv/pip.log')
        assert pipLog.readLines() == ['install --quiet --no-input --require-hashes --index-url https://pypi.internal.example.com/simple -r agent.lock']
        Call install = h.callsTo('sh').findAll { it.named.label == 'tritonship: agent' }[1]
        assert !install.env.containsKey('TRITONSHIP_REGISTRY_PASSWORD')  // the install runs outside withCredentials
        assert cli().size() == 2
        new File(h.workspace, 'agent.lock').text = 'tritonship==0.2.0 --hash=sha256:' + 'b' * 64 + '\n'
        h.runStep('tritonship', [verb: 'validate', agent: pip])
        assert pipLog.readLines().size() == 2  // a changed requirements file reinstalls
    }
}
