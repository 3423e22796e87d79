package org.jenkinsci.plugins.workflow.steps

/**
 * Stand-in for workflow-step-api's StepDescriptor: `StepDescriptor.all()` lists one descriptor per step
 * that the installed plugins provide, each with getFunctionName(). The harness fills `installed` with
 * the steps it implements, minus the ones a test removes to play a missing plugin.
 */
class StepDescriptor {
    static Closure<Collection<String>> installed = { -> [] }
    final String functionName

    StepDescriptor(String functionName) { this.functionName = functionName }

    static List<StepDescriptor> all() { installed.call().collect { new StepDescriptor(it) } }
}
