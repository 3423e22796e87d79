import org.yaml.snakeyaml.Yaml

/** This repository's own Jenkinsfile: agent images first, then the tests and the example in the images just built. */
class JenkinsfileTest extends PipelineTest {
    static final String REG = 'ghcr.io/tritonship'
    static final Map IMAGES = [version: '0.1.0', tag: '0.1.0-abc', agent: REG + '/agent@sha256:' + '1' * 64,
                               agent_test: REG + '/agent-test@sha256:' + '2' * 64, agent_gpu: REG + '/agent-gpu@sha256:' + '3' * 64]

    void setUp() {
        super.setUp()
        ['examples/tritonship.yaml', 'docker/build-agent-images.sh'].each { String path ->
            File f = new File(h.workspace, path); f.parentFile.mkdirs(); f.text = new File(ROOT, path).text
        }
        h.credentials['agent-images-push'] = [username: 'ci-robot', password: 'push-secret']
        h.shHandler = { Call c ->
            if (c.named.label == 'build agent images') {  // buildah cannot run here: answer as the script does
                new File(h.ws(), 'agent-images.json').text = groovy.json.JsonOutput.toJson(IMAGES)
                return [rc: 0, stdout: '']
            }
            if (c.named.label == 'test') { return [rc: 0, stdout: ''] }  // the suite itself: not from inside itself
            return h.bash(c.script, c.env)
        }
        h.node = null  // a Jenkinsfile starts outside any agent
    }

    String imageOf(Map node) { ((Map) new Yaml().load((String) node.yaml)).spec.containers[0].image }

    void testImagesAreBuiltFirstThenTestedAndUsed() {
        h.runFile('Jenkinsfile')
        assert h.callsTo('library')[0].named.identifier == 'tritonship@main'
        assert h.callsTo('stage').collect { it.args[0] } == ['Agent images', 'Test', 'GPU agent', 'Example']
        Call build = h.callsTo('sh').find { it.named.label == 'build agent images' }
        assert build.script == 'docker/build-agent-images.sh'
        assert build.env.TRITONSHIP_REGISTRY_PASSWORD == 'push-secret' && build.env.PUSH == '1'
        assert imageOf(h.nodes[0]) == 'quay.io/buildah/stable:v1.37.5'
        assert h.nodes[1..3].collect { imageOf(it) } == [IMAGES.agent_test, IMAGES.agent_gpu, IMAGES.agent]
        Call test = h.callsTo('sh').find { it.named.label == 'test' }
        assert test.script.startsWith('PYTHONPATH=agent:standins /opt/tritonship/bin/python -m pytest tests')
        assert !h.callsTo('sh').any { it.script.contains('sudo') || it.script.contains('pip install') || it.script.contains('make') }
        assert cli().collect { argvOf(it) } == [
            ['plan', '--spec=examples/tritonship.yaml'],
            ['validate', '--spec=examples/tritonship.yaml', '--', 'examples/model_repository'],
            ['plan', '--spec=examples/tritonship.yaml', '--dry-run'],
            ['build', '--spec=examples/tritonship.yaml', '--repository=examples/model_repository', '--dry-run']]
        assert h.nodes*.label.unique().size() == 4
    }
}
