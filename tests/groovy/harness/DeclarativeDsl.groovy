/**
 * The declarative `pipeline {}` vocabulary the harness interprets (PipelineHarness runs what these collect):
 * pipeline, agent, options, stages, stage, when, environment, parameters, steps and post.
 */
class DeclarativeDsl {
    static Object run(Closure body, Object delegate) {
        Closure c = (Closure) body.clone()
        c.delegate = delegate
        c.resolveStrategy = Closure.DELEGATE_FIRST
        return c.call()
    }
}

class Dsl {
    static Object run(Closure body, Object delegate) { DeclarativeDsl.run(body, delegate) }
}

class PipelineDsl {
    PipelineHarness h
    Object agent
    List options = []
    List<StageDsl> stages = []
    Map<String, Closure> post = [:]
    Map environment = [:]
    String getNone() { 'none' }
    String getAny() { 'any' }
    void agent(Object a) { agent = a instanceof Closure ? AgentDsl.collect(a) : a }
    void options(Closure c) { OptionsDsl o = new OptionsDsl(); Dsl.run(c, o); options.addAll(o.items) }
    void stages(Closure c) { StagesDsl s = new StagesDsl(h: h); Dsl.run(c, s); stages.addAll(s.stages) }
    void post(Closure c) { post.putAll(PostDsl.collect(c)) }
    void environment(Closure c) { EnvironmentDsl e = new EnvironmentDsl(); Dsl.run(c, e); environment.putAll(e.vars); h.baseEnv.putAll(e.vars) }
    void parameters(Closure c) {
        OptionsDsl p = new OptionsDsl(); Dsl.run(c, p)
        Map params = (Map) h.binding.getVariable('params')
        p.items.each { Map item ->
            Map a = (Map) item.args[0]
            if (!params.containsKey(a.name)) { params[a.name] = a.containsKey('defaultValue') ? a.defaultValue : a.choices?.getAt(0) }
        }
    }
}

class EnvironmentDsl {
    Map vars = [:]
    void setProperty(String name, Object value) { if (name == 'vars') { vars = (Map) value } else { vars[name] = value?.toString() } }
}

class OptionsDsl {
    List items = []
    def methodMissing(String name, Object args) { Map item = [name: name, args: (args as List)]; items << item; item }
}

class StagesDsl {
    PipelineHarness h
    List<StageDsl> stages = []
    Object stage(String name, Closure body) {
        if (!h.collecting) { return h.invokeStep('stage', [name, body] as Object[]) }  // a scripted stage
        StageDsl st = new StageDsl(h: h, name: name)
        Dsl.run(body, st)
        stages << st
        return null
    }
}

class StageDsl {
    PipelineHarness h
    String name
    Object agent
    WhenDsl when
    Closure steps
    Map<String, Closure> post = [:]
    List lockOptions = []
    Map timeoutOption
    boolean postRan = false
    Map stageEnv = [:]
    String getNone() { 'none' }
    void agent(Object a) { agent = a instanceof Closure ? AgentDsl.collect(a) : a }
    void when(Closure c) { when = new WhenDsl(h: h); Dsl.run(c, when) }
    void steps(Closure c) { steps = c }
    void post(Closure c) { post.putAll(PostDsl.collect(c)) }
    void environment(Closure c) { EnvironmentDsl e = new EnvironmentDsl(); Dsl.run(c, e); stageEnv.putAll(e.vars) }
    void options(Closure c) {
        OptionsDsl o = new OptionsDsl(); Dsl.run(c, o)
        o.items.findAll { it.name == 'lock' }.each { lockOptions << it.args[0] }
        o.items.findAll { it.name == 'timeout' }.each { timeoutOption = (Map) it.args[0] }
    }
}

class AgentDsl {
    Map spec = [:]
    static Map collect(Closure c) { AgentDsl a = new AgentDsl(); Dsl.run(c, a); a.spec }
    void label(String l) { spec.label = l }
    void kubernetes(Closure c) { Map k = [:]; Dsl.run(c, new MapDsl(map: k)); spec.kubernetes = k }
}

class MapDsl {
    Map map
    def methodMissing(String name, Object args) { map[name] = (args as List).size() == 1 ? args[0] : args as List; null }
}

class StepsDsl {
    PipelineHarness h
    Object script(Closure c) { c.call() }
}

class PostDsl {
    Map<String, Closure> blocks = [:]
    static Map collect(Closure c) { PostDsl p = new PostDsl(); Dsl.run(c, p); p.blocks }
    def methodMissing(String name, Object args) {
        List known = ['always', 'success', 'failure', 'unstable', 'aborted', 'unsuccessful', 'cleanup', 'changed', 'fixed', 'regression']
        if (!(name in known)) { throw new MissingMethodException(name, PostDsl, args) }
        blocks[name] = (Closure) args[0]
        null
    }
}

class WhenDsl {
    PipelineHarness h
    List<Closure> conditions = []
    boolean beforeAgentFlag = false
    boolean evaluate() { conditions.every { it() } }
    void beforeAgent(boolean b) { beforeAgentFlag = b }
    void branch(String pattern) { conditions << { glob(pattern, h.currentEnv().BRANCH_NAME) } }
    void buildingTag() { conditions << { h.currentEnv().TAG_NAME != null } }
    void tag(String pattern) { conditions << { h.currentEnv().TAG_NAME != null && glob(pattern, h.currentEnv().TAG_NAME) } }
    void changeRequest() { conditions << { h.currentEnv().CHANGE_ID != null } }
    void environment(Map a) { conditions << { h.currentEnv()[a.name] == a.value } }
    void expression(Closure c) { conditions << { c.call() as boolean } }
    void anyOf(Closure c) { WhenDsl w = nested(c); conditions << { w.conditions.any { it() } } }
    void allOf(Closure c) { WhenDsl w = nested(c); conditions << { w.evaluate() } }
    void not(Closure c) { WhenDsl w = nested(c); conditions << { !w.evaluate() } }
    private WhenDsl nested(Closure c) { WhenDsl w = new WhenDsl(h: h); Dsl.run(c, w); w }
    static boolean glob(String pattern, String value) {
        value != null && value ==~ pattern.split('\\*', -1).collect { java.util.regex.Pattern.quote(it) }.join('.*')
    }
}
