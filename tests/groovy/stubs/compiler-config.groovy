// groovyc --configscript: Jenkins imports @NonCPS implicitly into vars/ scripts; so do we.
withConfig(configuration) {
    imports {
        normal 'com.cloudbees.groovy.cps.NonCPS'
    }
}
