package io.tritonship

import com.cloudbees.groovy.cps.NonCPS
import org.jenkinsci.plugins.workflow.steps.StepDescriptor

/**
 * What modelPipeline checks before any work, as pure functions (the var turns each finding into `error`):
 * its parameters (name, type, the help page's line for each), the Jenkins steps it needs and the plugins that
 * provide them, and the plan-dependent checks (a kubeconfig credential per environment, build windows).
 */
class PipelineChecks implements Serializable {
    // name: [default, accepted types, the help page's line for it (vars/modelPipeline.txt shows the same text)]
    static final Map PARAMS = [
        spec                   : ['tritonship.yaml', ['String'], "The project's tritonship.yaml, relative to the repository root."],
        repository             : [null, ['String'], "Model repository to validate and build (default: the spec's model_repository)."],
        environments           : [null, ['List'], "Environments to promote to, in order (default: the spec's, in file order); each must exist in the spec."],
        approval               : [null, ['List'], 'Environments that wait for a person (default: those with approval: true in the spec).'],
        primaryBranch          : ['main', ['String'], 'Promotion (and no concurrent builds) only on this branch or on a tag.'],
        dryRun                 : [false, ['Boolean'], 'build --dry-run and promote --dry-run: nothing is pushed or deployed; Smoke and Perf then test the checkout, not an image.'],
        checks                 : [[], ['List'], "Shell commands of a Checks stage (e.g. ['make lint'])."],
        train                  : [null, ['String'], 'Shell command of a Train stage on the GPU pod; the model repository it writes is stashed for Validate and Build.'],
        skip                   : [[], ['List'], 'Stages to leave out: smoke, perf.'],
        validate               : [[:], ['Map'], 'Extra tritonValidate parameters.'],
        build                  : [[:], ['Map'], 'Extra tritonBuild parameters.'],
        smoke                  : [[:], ['Map'], 'Extra tritonSmokeTest parameters.'],
        perf                   : [[:], ['Map'], 'Extra tritonPerfTest parameters.'],
        promote                : [[:], ['Map'], 'Extra tritonPromote parameters (every environment).'],
        registryCredentialsId  : [null, ['String'], 'Username/password credential Build pushes the image with.'],
        kubeconfigCredentialsId: [null, ['String', 'Map'], 'File credential with a kubeconfig, or a map environment to credential ID; every planned environment needs one unless inCluster: true.'],
        inCluster              : [false, ['Boolean'], "Promote with the agent pod's own service account instead of a kubeconfig, on purpose."],
        webhookCredentialsId   : [null, ['String'], 'Secret text credential with the notification webhook URL.'],
        agentImage             : [null, ['String'], 'Image of the standard, builder and serve pods (default: ghcr.io/tritonship/agent:LIBRARY VERSION).'],
        gpuAgentImage          : [null, ['String'], 'Image of the Train pod (default: ghcr.io/tritonship/agent-gpu:LIBRARY VERSION).'],
        imagePullSecret        : [null, ['String'], 'Kubernetes secret the Smoke and Perf pods pull the built images with.'],
        agents                 : [[:], ['Map'], 'Pod overrides per role (standard, builder, gpu, serve, modelcar): [resource:, yaml:, container:].'],
        timeoutMinutes         : [2880, ['Integer'], 'Whole-build window in minutes; must cover every stage window, approval and pause (checked at the start).'],
        stageTimeoutMinutes    : [120, ['Integer'], 'Window of each working stage and of each promotion step.'],
        approvalTimeoutMinutes : [1440, ['Integer'], 'How long an approval waits for a person; then the build is aborted.'],
        pauseTimeoutMinutes    : [1440, ['Integer'], 'How long a manual pause of a promotion waits; then the promotion is aborted.'],
        buildsToKeep           : [30, ['Integer'], 'Builds kept by the build discarder.'],
        submitter              : [null, ['String'], 'Who may approve (users or groups, comma separated).'],
        lockPrefix             : [null, ['String'], "Lock name prefix (default: the project name and '-', so locks are PROJECT-ENV)."],
        agent                  : [[:], ['Map'], "How the CLI is found in each pod (see tritonship; default install: 'path')."],
    ]

    // Steps this pipeline calls and the plugin providing each (plugins.txt lists them all), checked before any work.
    static final Map REQUIRED_STEPS = [
        readJSON: 'pipeline-utility-steps', lock: 'lockable-resources', podTemplate: 'kubernetes', container: 'kubernetes',
        withCredentials: 'credentials-binding', junit: 'junit', timestamps: 'timestamper', input: 'pipeline-input-step',
        stash: 'workflow-basic-steps', unstash: 'workflow-basic-steps', timeout: 'workflow-basic-steps',
        checkout: 'workflow-scm-step', sh: 'workflow-durable-task-step',
    ]

    @NonCPS
    static Map defaults() {
        Map out = [:]
        PARAMS.each { k, v -> out[k] = v[0] }
        return out
    }

    // The parameter a misspelt name most likely meant: edit distance at most 2, or a case-insensitive prefix.
    @NonCPS
    static String closestParameter(String name) {
        String best = null
        int bestDistance = 3
        for (String key : PARAMS.keySet()) {
            int d = distance(name.toLowerCase(), key.toLowerCase())
            if (d < bestDistance || (best == null && key.toLowerCase().startsWith(name.toLowerCase()) && name.length() > 3)) {
                best = key
                bestDistance = Math.min(d, bestDistance)
            }
        }
        return best
    }

    @NonCPS
    static int distance(String a, String b) {
        int[] previous = (0..b.length()) as int[]
        for (int i = 1; i <= a.length(); i++) {
            int[] current = new int[b.length() + 1]
            current[0] = i
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost)
            }
            previous = current
        }
        return previous[b.length()]
    }

    @NonCPS
    static String typeProblem(String key, Object value, List types) {
        if (value == null) {
            return null
        }
        boolean ok = types.any { String t ->
            t == 'String' ? value instanceof CharSequence : t == 'Integer' ? (value instanceof Integer || value instanceof Long) :
            t == 'Boolean' ? value instanceof Boolean : t == 'List' ? value instanceof List : value instanceof Map
        }
        return ok ? null : ('parameter ' + key + ' must be ' + types.join(' or ') + ', not ' + value.getClass().simpleName +
                            ' ' + String.valueOf(value))
    }

    @NonCPS
    static String helpLine(String key) {
        return 'help: ' + key + ' \u2014 ' + PARAMS[key][2]
    }

    // Every step this pipeline uses must exist before anything runs (a missing pipeline-utility-steps would
    // otherwise fail AFTER the CLI pushed an image). StepDescriptor.all() lists the installed steps (workflow-step-api);
    // a sandboxed (untrusted) library may not call it, and then the check is skipped with a note.

    @NonCPS
    static List missingSteps(Set installed) {
        List out = []
        REQUIRED_STEPS.each { step, plugin -> if (!installed.contains(step)) { out.add(step + ' (plugin ' + plugin + ')') } }
        return out
    }

    @NonCPS
    static Set installedSteps() {
        try {
            return new HashSet(StepDescriptor.all().collect { it.functionName })
        } catch (Exception ignored) {
            return null
        }
    }

    @NonCPS
    static List planNames(Map plan) {
        return plan.environments.collect { it.name.toString() }
    }

    // approvals (a boolean per environment) or manual pauses (a number per environment) of the whole plan
    @NonCPS
    static int countOf(Map plan, String field) {
        int total = 0
        plan.environments.each { Map e -> total += e[field] instanceof Boolean ? (e[field] ? 1 : 0) : (e[field] ?: 0) as int }
        return total
    }

    @NonCPS
    static String credentialFor(Object ids, String envName) {
        if (ids instanceof Map) {
            return ids[envName]
        }
        return ids
    }

    /** null, or why the whole-build window would cut a documented wait short. */
    @NonCPS
    static String windowProblem(Map cfg, Map plan) {
        int stages = 5 + (cfg.checks ? 1 : 0) + (cfg.train ? 1 : 0)
        int approvals = countOf(plan, 'approval')
        int pauses = countOf(plan, 'manual_pauses')
        int promotions = plan.environments.size()
        long needed = (long) cfg.stageTimeoutMinutes * (stages + promotions + pauses) +
                      (long) cfg.approvalTimeoutMinutes * approvals + (long) cfg.pauseTimeoutMinutes * pauses
        if (needed <= (cfg.timeoutMinutes as long)) {
            return null
        }
        return 'timeoutMinutes ' + cfg.timeoutMinutes + ' would cut a documented wait short: ' + stages +
               ' stage(s) and ' + promotions + ' promotion(s) of ' + cfg.stageTimeoutMinutes + ' min, ' + approvals +
               ' approval(s) of ' + cfg.approvalTimeoutMinutes + ' min and ' + pauses + ' pause(s) of ' +
               cfg.pauseTimeoutMinutes + ' min need ' + needed
    }

    /** The planned environments without a kubeconfig credential (none when promoting in-cluster on purpose). */
    @NonCPS
    static List withoutCredential(Map cfg, Map plan) {
        return cfg.inCluster ? [] : planNames(plan).findAll { !credentialFor(cfg.kubeconfigCredentialsId, it) }
    }
}
