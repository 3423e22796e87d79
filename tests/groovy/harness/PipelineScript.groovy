/** Base class of every vars/ script under test: unknown methods are pipeline steps (or other vars). */
abstract class PipelineScript extends Script {
    def methodMissing(String name, Object args) {
        return ((PipelineHarness) binding.getVariable('__harness')).invokeStep(name, (Object[]) args)
    }
}
