import org.codehaus.groovy.control.CompilerConfiguration

/**
 * A recording stub of the Job DSL: runs a seed script, records every job/folder it declares with the
 * tree of DSL calls inside (DslNode), and serves readFileFromWorkspace from the repository.
 */
class JobDslHarness {
    final File root
    final Map<String, DslNode> items = new LinkedHashMap<>()  // name -> node (node.name: folder | multibranchPipelineJob | ...)
    final Map<String, Object> variables = [:]

    JobDslHarness(File root) { this.root = root }

    void run(String scriptPath) {
        CompilerConfiguration cc = new CompilerConfiguration()
        cc.scriptBaseClass = 'JobDslScript'
        Binding binding = new Binding(new LinkedHashMap(variables))
        binding.setVariable('__jobdsl', this)
        new GroovyShell(JobDslHarness.classLoader, binding, cc).evaluate(new File(root, scriptPath))
    }

    Object top(String name, Object[] args) {
        if (name == 'readFileFromWorkspace') {
            File file = new File(args[0].toString())
            return (file.absolute ? file : new File(root, args[0].toString())).getText('UTF-8')
        }
        if (!(name in ['folder', 'multibranchPipelineJob', 'pipelineJob', 'job', 'listView'])) {
            throw new MissingMethodException(name, JobDslScript, args)
        }
        String itemName = args[0].toString()
        if (items.containsKey(itemName)) {
            throw new IllegalStateException("item declared twice: ${itemName}")
        }
        DslNode node = new DslNode(name: name, args: [itemName])
        if (args.length > 1 && args[1] instanceof Closure) {
            node.fill((Closure) args[1])
        }
        items[itemName] = node
        return node
    }
}

/** One DSL call: its name, its plain arguments, and the calls made in its closure. */
class DslNode {
    String name
    List args = []
    List<DslNode> children = []

    void fill(Closure body) {
        Closure c = (Closure) body.clone()
        c.delegate = this
        c.resolveStrategy = Closure.DELEGATE_FIRST
        c.call()
    }

    def methodMissing(String method, Object args) {
        List plain = (args as List).findAll { !(it instanceof Closure) }
        DslNode child = new DslNode(name: method, args: plain)
        children << child
        Closure body = (Closure) (args as List).find { it instanceof Closure }
        if (body != null) {
            child.fill(body)
        }
        return child
    }

    /** node.at('branchSources.branchSource.source.git') -> the first node along that path. */
    DslNode at(String path) {
        DslNode node = this
        for (String part : path.tokenize('.')) {
            node = node?.children?.find { it.name == part }
        }
        return node
    }

    /** The single argument of the call at `path` (e.g. 'description'). */
    Object value(String path) { at(path)?.args?.getAt(0) }

    List<String> childNames(String path) { at(path)?.children*.name ?: [] }
}
