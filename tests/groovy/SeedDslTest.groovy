import groovy.json.JsonSlurper

/**
 * pipelines/seed.groovy against a recording Job DSL stub: the folders and jobs the catalog JSON (written by the
 * real `tritonship seed --catalog-json`) asks for. No YAML parsing in the Job DSL script.
 */
class SeedDslTest {
    static File ROOT = PipelineTest.ROOT
    JobDslHarness dsl

    void setUp() { dsl = new JobDslHarness(ROOT) }

    void tearDown() {}

    /** The real CLI's catalog for a models.yaml (the agent installed beside the test Python). */
    File catalogFor(String modelsYaml) {
        File dir = File.createTempDir('seed', '')
        File models = new File(dir, 'models.yaml')
        models.text = modelsYaml
        String bin = System.getenv('TRITONSHIP_TEST_AGENT_BIN') ?: new File(ROOT, '.venv/bin').absolutePath
        Process p = [bin + '/tritonship', 'seed', '--catalog-json', '--config', models.absolutePath].execute(null, ROOT)
        StringBuilder out = new StringBuilder(), err = new StringBuilder()
        p.waitForProcessOutput(out, err)
        assert p.exitValue() == 0: err.toString()
        File json = new File(dir, 'catalog.json')
        json.text = out.toString()
        return json
    }

    void testDeclaresAFolderAndAMultibranchJobPerProject() {
        File json = catalogFor(new File(ROOT, 'pipelines/models.yaml').text)
        dsl.variables.CATALOG_JSON = json.absolutePath
        dsl.run('pipelines/seed.groovy')
        Map catalog = (Map) new JsonSlurper().parse(json)
        assert dsl.items.keySet() as List == ['models', 'models/search', 'models/example-models', 'models/search/ranking']
        assert dsl.items['models'].name == 'folder'
        assert dsl.items['models'].value('description').endsWith('managed-by: tritonship-seed (edits made here are overwritten by the next seed)')
        catalog.projects.each { Map p ->
            DslNode job = dsl.items[p.full_name]
            assert job.name == 'multibranchPipelineJob'
            DslNode git = job.at('branchSources.branchSource.source.git')
            assert git.value('id') == p.source_id && git.value('remote') == p.git && git.value('credentialsId') == p.credentials_id
            assert git.childNames('traits') == ['gitBranchDiscovery', 'gitTagDiscovery', 'headWildcardFilter']
            assert git.value('traits.headWildcardFilter.includes') == 'main release/* v*'
            assert job.childNames('branchSources.branchSource.buildStrategies') == ['buildRegularBranches', 'buildTags']
            assert job.value('branchSources.branchSource.buildStrategies.buildTags.atMostDays') == '7'
            assert job.value('factory.workflowBranchProjectFactory.scriptPath') == 'Jenkinsfile'
            assert job.value('description').contains('managed-by: tritonship-seed')
            assert job.value('triggers.periodicFolderTrigger.interval') == '4h'
        }
    }

    void testTopLevelJobsWithoutTagsBuildNoTags() {
        dsl.variables.CATALOG_JSON = catalogFor('folder: ""\nprojects:\n  - name: solo\n    git: https://g/solo.git\n    tags: false\n').absolutePath
        dsl.run('pipelines/seed.groovy')
        assert dsl.items.keySet() as List == ['solo']
        DslNode job = dsl.items.solo
        assert job.at('branchSources.branchSource.source.git').childNames('traits') == ['gitBranchDiscovery', 'headWildcardFilter']
        assert job.at('branchSources.branchSource.buildStrategies') == null
        assert job.value('branchSources.branchSource.source.git.credentialsId') == ''
    }

    void testAFileThatIsNotACatalogIsRejected() {
        File f = File.createTempFile('catalog', '.json')
        f.deleteOnExit()
        f.text = '{"projects": {}}'
        dsl.variables.CATALOG_JSON = f.absolutePath
        try {
            dsl.run('pipelines/seed.groovy')
            assert false: 'expected an error'
        } catch (IllegalArgumentException e) {
            assert e.message.contains('not a catalog from `tritonship seed --catalog-json`')
        }
    }
}
