package net.sf.json

/** Stand-in for json-lib's JSONObject (a Map whose JSON nulls are JSONNull, objects JSONObject, arrays JSONArray). */
class JSONObject extends LinkedHashMap<String, Object> {
    static Object wrap(Object value) {
        if (value == null) { return JSONNull.getInstance() }
        if (value instanceof Map) {
            JSONObject out = new JSONObject()
            ((Map) value).each { k, v -> out.put(k.toString(), wrap(v)) }
            return out
        }
        if (value instanceof List) {
            JSONArray out = new JSONArray()
            ((List) value).each { out.add(wrap(it)) }
            return out
        }
        return value
    }
}
