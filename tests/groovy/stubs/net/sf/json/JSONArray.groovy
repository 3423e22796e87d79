package net.sf.json

/** Stand-in for json-lib's JSONArray (a List; see JSONObject). */
class JSONArray extends ArrayList<Object> { }
