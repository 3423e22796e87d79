// Runs every Groovy test class given on the command line in this one JVM and writes a JSON report.
// usage: groovy -cp tests/groovy/harness:tests/groovy/stubs:SNAKEYAML tests/groovy/run.groovy ROOT OUT.json FILE...
import groovy.json.JsonOutput

File root = new File(args[0]).canonicalFile
File out = new File(args[1])
GroovyClassLoader loader = (GroovyClassLoader) this.class.classLoader
// The harness files first: loading one defines every class in it (Call, PipelineError, StageDsl, DslNode, ...).
['DeclarativeDsl', 'PipelineHarness', 'JobDslHarness', 'PipelineScript', 'JobDslScript', 'PipelineTest'].each { loader.loadClass(it) }
loader.loadClass('PipelineTest').ROOT = root
List results = []
args.drop(2).each { String path ->
    File file = new File(path)
    Class cls
    try {
        cls = loader.parseClass(file)
    } catch (Throwable e) {
        results << [file: file.name, test: '<compile>', ok: false, message: e.toString()]
        return
    }
    cls.declaredMethods.findAll { it.name.startsWith('test') && it.parameterCount == 0 }*.name.sort().each { String name ->
        def test = cls.newInstance()
        String message = null
        try {
            test.setUp()
            test."$name"()
        } catch (Throwable e) {
            StringWriter sw = new StringWriter()
            org.codehaus.groovy.runtime.StackTraceUtils.deepSanitize(e).printStackTrace(new PrintWriter(sw))
            message = sw.toString().readLines().take(40).join('\n')
        } finally {
            try { test.tearDown() } catch (Throwable ignored) { }
        }
        results << [file: file.name, test: name, ok: message == null, message: message]
        println((message == null ? 'PASS ' : 'FAIL ') + file.name + '::' + name)
    }
}
out.text = JsonOutput.prettyPrint(JsonOutput.toJson(results))
