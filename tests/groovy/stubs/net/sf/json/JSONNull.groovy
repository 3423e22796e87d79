package net.sf.json

/**
 * Stand-in for json-lib's JSONNull, which pipeline-utility-steps' readJSON returns for a JSON null unless
 * `returnPojo: true`. Like the real one it is an object: Groovy truth makes it TRUE, `== null` is false
 * (Groovy compares with null by identity), its toString() is "null", and equals(null) is true in Java.
 */
final class JSONNull {
    private static final JSONNull INSTANCE = new JSONNull()

    private JSONNull() { }

    static JSONNull getInstance() { INSTANCE }

    @Override
    boolean equals(Object other) { other == null || other.is(this) || 'null' == other }

    @Override
    int hashCode() { 42 }

    @Override
    String toString() { 'null' }
}
