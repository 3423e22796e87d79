import org.yaml.snakeyaml.Yaml

/** pipelines/seed.groovy against a recording Job DSL stub: the folders and jobs models.yaml asks for. */
class SeedDslTest {
    static File ROOT = PipelineTest.ROOT
    JobDslHarness dsl

    void setUp() { dsl = new JobDslHarness(ROOT) }

    void tearDown() {}

    File tempModels(String text) {
        File f = File.createTempFile('models', '.yaml')
        f.deleteOnExit()
        f.text = text
        return f
    }

    void testDeclaresAFolderAndAMultibranchJobPerProject() {
        dsl.run('pipelines/seed.groovy')
        Map models = (Map) new Yaml().load(new File(ROOT, 'pipelines/models.yaml').text)
        assert dsl.items.keySet() as List == ['models', 'models/search', 'models/example-models', 'models/search/ranking']
        assert dsl.items['models'].name == 'folder'
        assert dsl.items['models'].value('description').endsWith('managed-by: tritonship-seed (edits made here are overwritten by the next seed)')
        models.projects.each { Map p ->
            String full = (p.folder ?: models.folder) + '/' + p.name
            DslNode job = dsl.items[full]
            assert job.name == 'multibranchPipelineJob'
            DslNode git = job.at('branchSources.branchSource.source.git')
            assert git.value('id') == 'tritonship-' + p.name
            assert git.value('remote') == p.git
            assert git.value('credentialsId') == p.credentials_id
            assert git.childNames('traits') == ['gitBranchDiscovery', 'gitTagDiscovery', 'headWildcardFilter']
            assert git.value('traits.headWildcardFilter.includes') == (p.branches ?: 'main release/* v*')
            assert job.value('factory.workflowBranchProjectFactory.scriptPath') == (p.script_path ?: 'Jenkinsfile')
            assert job.value('description').contains('managed-by: tritonship-seed')
            assert job.value('triggers.periodicFolderTrigger.interval') == '4h'
        }
    }

    void testOtherModelsFileDefaultsAndTopLevelJobs() {
        File f = tempModels('folder: ""\nprojects:\n  - name: solo\n    git: https://g/solo.git\n    tags: false\n')
        dsl.variables.MODELS_YAML = f.absolutePath
        dsl.run('pipelines/seed.groovy')
        assert dsl.items.keySet() as List == ['solo']
        DslNode git = dsl.items.solo.at('branchSources.branchSource.source.git')
        assert git.childNames('traits') == ['gitBranchDiscovery', 'headWildcardFilter']
        assert git.value('credentialsId') == ''
    }

    void testUnknownKeysAreRejected() {
        File f = tempModels('projects:\n  - name: x\n    git: https://g/x.git\n    brnches: main\n')
        dsl.variables.MODELS_YAML = f.absolutePath
        try {
            dsl.run('pipelines/seed.groovy')
            assert false: 'expected an error'
        } catch (IllegalArgumentException e) {
            assert e.message.contains('unknown key(s) brnches')
        }
    }
}
