// Job DSL seed script: a folder and a multibranch pipeline job for every model project in models.yaml.
// Run it from a "seed" freestyle job (Process Job DSLs, "Look on Filesystem": pipelines/seed.groovy) in a
// checkout of this repository. The job parameter MODELS_YAML may name another file. It declares the same
// items as `tritonship seed`, with the same description marker, so either may manage them; removed
// projects are handled by the seed job's "Action for removed jobs" (Delete or Disable), or by
// `tritonship seed --prune`.
import org.yaml.snakeyaml.Yaml

final String MARKER = 'managed-by: tritonship-seed (edits made here are overwritten by the next seed)'
final Map PROJECT_DEFAULTS = [name: null, git: null, credentials_id: null, folder: null, branches: 'main release/* v*',
                              exclude: '', tags: true, script_path: 'Jenkinsfile', description: '']
final Map FILE_DEFAULTS = [folder: 'models', folder_description: 'Triton model pipelines.', projects: []]

String path = binding.variables.containsKey('MODELS_YAML') ? binding.variables.MODELS_YAML : 'pipelines/models.yaml'
Map catalog = withDefaults(FILE_DEFAULTS, (Map) (new Yaml().load(readFileFromWorkspace(path)) ?: [:]), path)

Set<String> folders = new LinkedHashSet<String>()
List<Map> projects = []
for (Object entry : catalog.projects) {
    Map project = withDefaults(PROJECT_DEFAULTS, (Map) entry, path + ': project')
    if (!project.name || !project.git) {
        throw new IllegalArgumentException(path + ': every project needs name and git')
    }
    String folder = project.folder != null ? project.folder : (catalog.folder ?: '')
    List<String> parts = folder ? folder.tokenize('/') : []
    for (int depth = 1; depth <= parts.size(); depth++) {
        folders.add(parts.subList(0, depth).join('/'))
    }
    projects.add(project + [fullName: (parts + [project.name]).join('/')])
}

for (String name : folders) {
    folder(name) {
        description(describe(catalog.folder_description, MARKER))
    }
}

for (Map p : projects) {
    multibranchPipelineJob(p.fullName) {
        description(describe(p.description, MARKER))
        branchSources {
            branchSource {
                source {
                    git {
                        id('tritonship-' + p.name)
                        remote(p.git)
                        credentialsId(p.credentials_id ?: '')
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
                interval('4h')
            }
        }
    }
}

static String describe(Object text, String marker) {
    return text ? text.toString() + '\n\n' + marker : marker
}

static Map withDefaults(Map defaults, Map given, String where) {
    List unknown = given.keySet().findAll { !defaults.containsKey(it) }.collect { it.toString() }
    if (unknown) {
        throw new IllegalArgumentException(where + ': unknown key(s) ' + unknown.join(', ') + '; known: ' + defaults.keySet().join(', '))
    }
    return defaults + given
}
