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
        assert new File(h.workspace, 'one.txt').text.trim() == 'eu blue'
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
}
