// Job DSL seed script: a folder and a multibranch pipeline job for every model project in models.yaml.
// The catalog comes from the agent, every default resolved once in Python (tritonship.jenkins.catalog), as JSON
// that Job DSL reads with Groovy's own JsonSlurper (no extra classpath). In the seed job:
//   1. Execute shell:  tritonship seed --catalog-json --config pipelines/models.yaml > catalog.json
//   2. Process Job DSLs, "Look on Filesystem": pipelines/seed.groovy  (parameter CATALOG_JSON may name the file)
// It declares the same items as `tritonship seed`, with the same description marker, so either may manage them;
// removed projects are handled by the seed job's "Action for removed jobs" (Delete or Disable), or by
// `tritonship seed --prune`. Multibranch jobs build tags only through a build strategy (branch-api builds no tag
// on its own, by design: branch-api's MultiBranchProject skips tags without a BranchBuildStrategy): buildTags from
// basic-branch-build-strategies (the same Job DSL block jenkins-infra uses), with buildRegularBranches kept.
import groovy.json.JsonSlurper

String path = binding.variables.containsKey('CATALOG_JSON') ? binding.variables.CATALOG_JSON : 'catalog.json'
Map catalog = (Map) new JsonSlurper().parseText(readFileFromWorkspace(path))
if (!(catalog.folders instanceof List) || !(catalog.projects instanceof List)) {
    throw new IllegalArgumentException(path + ': not a catalog from `tritonship seed --catalog-json`')
}

for (Map f : catalog.folders) {
    folder(f.name) {
        description(f.description)
    }
}

for (Map p : catalog.projects) {
    multibranchPipelineJob(p.full_name) {
        description(p.description)
        branchSources {
            branchSource {
                source {
                    git {
                        id(p.source_id)
                        remote(p.git)
                        credentialsId(p.credentials_id)
                        traits {
                            gitBranchDiscovery()
                            if (p.tags) {
                                gitTagDiscovery()
                            }
                            headWildcardFilter {
                                includes(p.branches)
                                excludes(p.exclude)
                            }
                        }
                    }
                }
                if (p.build_tags) {
                    buildStrategies {
                        buildRegularBranches()
                        buildTags {
                            atLeastDays('-1')
                            atMostDays(String.valueOf(p.tag_max_age_days))
                        }
                    }
                }
            }
        }
        factory {
            workflowBranchProjectFactory {
                scriptPath(p.script_path)
            }
        }
        orphanedItemStrategy {
            discardOldItems {}
        }
        triggers {
            periodicFolderTrigger {
                interval(p.scan_interval)
            }
        }
    }
}
