/** Base class for Job DSL scripts under test: top-level DSL methods are recorded by JobDslHarness. */
abstract class JobDslScript extends Script {
    def methodMissing(String name, Object args) {
        return ((JobDslHarness) binding.getVariable('__jobdsl')).top(name, (Object[]) args)
    }
}
