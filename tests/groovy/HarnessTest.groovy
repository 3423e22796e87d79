/** The harness itself: declarative semantics the other tests rely on (so a harness bug cannot hide a step bug). */
class HarnessTest extends PipelineTest {

    static final String PIPELINE = '''
pipeline {
    agent any
    parameters { booleanParam(name: 'FAST', defaultValue: true); choice(name: 'ENV', choices: ['dev', 'prod']) }
    environment { REGION = 'eu' }
    stages {
        stage('one') {
            environment { COLOUR = 'blue' }
            steps { sh(label: 'one', script: 'echo "$REGION $COLOUR" > one.txt') }
            post { success { echo('one ok') } }
        }
        stage('gated') {
            when { allOf { branch 'release/*'; not { buildingTag() } } }
            steps { echo('gated ran') }
        }
        stage('two') {
            options { lock(resource: 'shared') }
            steps { script { if (params.FAST && params.ENV == 'dev') { error('boom') } } }
            post {
                failure { echo('two failed') }
                always { echo('two always') }
            }
        }
        stage('three') { steps { echo('never') } }
    }
    post {
        failure { echo('pipeline failed') }
        success { echo('pipeline ok') }
        cleanup { echo('cleanup') }
    }
}
'''

    List<String> echoes() { h.callsTo('echo').collect { it.args[0] } }

    void testStagesWhenEnvironmentLocksPostAndFailure() {
        h.runScript(PIPELINE)
        assert new File((File) h.nodes[0].workspace, 'one.txt').text.trim() == 'eu blue'  // `agent any`: its own workspace
        assert h.currentBuild.result == 'FAILURE'
        assert h.callsTo('stageStart').collect { it.args[0] } == ['one', 'two']
        assert h.callsTo('stageSkipped').collect { it.args } == [['gated', 'when'], ['three', 'earlier failure']]
        assert h.callsTo('lock')[0].named.resource == 'shared'
        assert h.callsTo('error')[0].locks == ['shared']
        assert echoes() == ['one ok', 'two always', 'two failed', 'pipeline failed', 'cleanup']  // always runs first
    }

    void testWhenBranchMatchesGlobsAndParametersCanBeGiven() {
        h.baseEnv.BRANCH_NAME = 'release/1.2'
        h.binding.getVariable('params').ENV = 'prod'
        h.runScript(PIPELINE)
        assert h.currentBuild.result == 'SUCCESS'
        assert echoes().containsAll(['gated ran', 'never', 'pipeline ok'])
    }

    void testUnknownStepsAreErrors() {
        try {
            h.runScript('pipeline { agent any; stages { stage("x") { steps { shh("typo") } } } }')
            assert false: 'expected MissingMethodException'
        } catch (MissingMethodException e) {
            assert e.method == 'shh'
        }
    }

    void testReadJsonReturnsJsonLibObjectsUnlessReturnPojo() {
        h.runScript("writeFile(file: 'r.json', text: '{\"image\": null, \"tags\": [\"a\", null], \"n\": {\"x\": null}}')")
        Map lib = (Map) h.runScript("readJSON(file: 'r.json')")
        assert lib.image instanceof net.sf.json.JSONNull
        assert lib.image as boolean                      // truthy, as in Jenkins: `if (r.image)` is taken
        assert lib.image != null && lib.image.toString() == 'null'
        assert (lib.image ?: 'fallback') == lib.image   // the Elvis operator keeps it
        assert lib.tags[1] instanceof net.sf.json.JSONNull && lib.n.x instanceof net.sf.json.JSONNull
        Map pojo = (Map) h.runScript("readJSON(file: 'r.json', returnPojo: true)")
        assert pojo.image == null && !pojo.image && pojo.tags == ['a', null] && pojo.n == [x: null]
        assert pojo.getClass() == LinkedHashMap
    }

    void testEachAgentHasItsOwnWorkspaceAndOnlyStashesTravel() {
        new File(h.workspace, 'src.txt').text = 'checked out'
        h.runScript('''
pipeline {
    agent none
    stages {
        stage('a') { agent { kubernetes { yaml 'kind: Pod' } }
                     steps { sh('echo made > made.txt; mkdir -p out; echo kept > out/kept.txt'); stash(name: 'out', includes: 'out/**') } }
        stage('b') { agent { kubernetes { yaml 'kind: Pod' } }
                     steps { script { assert fileExists('src.txt'); assert !fileExists('made.txt'); unstash('out'); assert fileExists('out/kept.txt') } } }
        stage('c') { steps { sh('true') } }
    }
}''')
        assert h.callsTo('stageError').collect { it.args } == [['c', 'Required context class hudson.FilePath is missing\nPerhaps you forgot to ' +
                                                                'surround the code with a step that provides this, such as: node']]
        assert h.workspaceOf('a') != h.workspaceOf('b')
        assert new File(h.workspaceOf('a'), 'made.txt').exists() && new File(h.workspaceOf('b'), 'out/kept.txt').exists()
        assert failureOf { h.runScript("unstash('nothing')") } == 'No such saved stash \u2018nothing\u2019'
    }

    void testPodTemplateGivesAUniquePodLabelAndAFreshWorkspace() {
        h.runScript("podTemplate(yaml: 'kind: Pod') { node(env.POD_LABEL) { container('c') { sh('pwd > where.txt') } } }")
        h.runScript("podTemplate(yaml: 'kind: Pod') { node(env.POD_LABEL) { sh('true') } }")
        assert h.nodes*.label == ['tritonship-pod-1', 'tritonship-pod-2']
        assert h.nodes[0].containers == ['c'] && h.nodes[0].yaml == 'kind: Pod'
        assert new File((File) h.nodes[0].workspace, 'where.txt').text.trim() == ((File) h.nodes[0].workspace).canonicalPath
    }

    void testInputMustNotHoldAnAgentAndNeedsItsOwnTimeout() {
        assert failureOf { h.runScript("timeout(time: 5, unit: 'MINUTES') { input(message: 'ok?') }") }.startsWith('input while holding agent')
        h.node = null
        assert failureOf { h.runScript("input(message: 'ok?')") }.startsWith('input without its own timeout')
        h.runScript("timeout(time: 5, unit: 'MINUTES') { input(message: 'ok?') }")
        assert h.callsTo('input').size() == 3
    }

    void testANestedTimeoutLongerThanItsOuterWindowFails() {
        String text = "pipeline { agent none; options { timeout(time: 4, unit: 'HOURS') }; stages { stage('s') { steps { " +
                      "script { timeout(time: 1440, unit: 'MINUTES') { echo('waiting') } } } } } }"
        h.runScript(text)
        assert h.callsTo('stageError')[0].args[1] == 'timeout(1440 MINUTES) inside a build timeout of 240 MINUTES: ' +
                                                     'the outer timeout cuts this documented window short'
        assert !h.callsTo('echo')
    }

    void testOnlyOnePipelinePerBuild() {
        h.runScript("pipeline { agent none; stages { stage('s') { steps { echo('one') } } } }")
        assert failureOf { h.runScript("pipeline { agent none; stages { stage('s') { steps { echo('two') } } } }") } ==
            'Only one pipeline { ... } block can be executed in a single run.'
    }

    void testAMissingPluginsStepIsMissingAndUnlisted() {
        h.missingSteps << 'readJSON'
        assert !(org.jenkinsci.plugins.workflow.steps.StepDescriptor.all()*.functionName.contains('readJSON'))
        assert org.jenkinsci.plugins.workflow.steps.StepDescriptor.all()*.functionName.containsAll(['sh', 'lock', 'podTemplate'])
        try {
            h.runScript("readJSON(text: '{}')")
            assert false: 'expected MissingMethodException'
        } catch (MissingMethodException e) {
            assert e.method == 'readJSON'
        }
    }
}
