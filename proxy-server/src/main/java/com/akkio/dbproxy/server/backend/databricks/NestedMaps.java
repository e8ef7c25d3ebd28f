package com.akkio.dbproxy.server.backend.databricks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Maps inside arrays and structs, as JSON objects. From Arrow results databricks-jdbc 3.4.5 writes a MAP nested in an
 * ARRAY or STRUCT as the Arrow list of its entries, {@code [{"key":"a","value":1}]}, where a top-level MAP becomes an
 * object ({@link DatabricksTypes#mapAsObject}); a client should get {@code {"a":1}} at every depth. The column's type
 * text ({@code ARRAY<MAP<STRING, INT>>}, {@code STRUCT<m: MAP<INT, STRING>, l: ARRAY<MAP<STRING, INT>>>}) says where
 * the maps are; the value is walked along it, and a map already written as an object is kept (its values walked).
 */
final class NestedMaps {
    /** A parsed type: its base name, its element/key/value or field types, and its field names (STRUCT). */
    private record Type(String base, List<Type> children, List<String> fields) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Type> PARSED = new ConcurrentHashMap<>();
    private static final int MAX_CACHED = 1_000;

    private NestedMaps() {
    }

    /** Whether {@code typeText} has a MAP below its top level (an ARRAY's, STRUCT's or MAP's part). */
    static boolean nested(String typeText) {
        return typeText.toUpperCase(Locale.ROOT).indexOf("MAP<", 1) >= 0;
    }

    /** The text of a value of type {@code typeText} with every map in it an object; numbers keep their digits. */
    static String objects(String text, String typeText) throws com.fasterxml.jackson.core.JsonProcessingException {
        return text == null ? null : EXACT.writeValueAsString(objects(EXACT.readTree(text), typeText));
    }

    /** Reads the driver's text as written: bare (non-string) map keys, numbers with all their digits. */
    private static final ObjectMapper EXACT = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    /** {@code json}, a value of type {@code typeText}, with every map in it an object. */
    static JsonNode objects(JsonNode json, String typeText) {
        Type type = PARSED.get(typeText);
        if (type == null) {
            type = new Parser(typeText).type();
            if (PARSED.size() < MAX_CACHED) {
                PARSED.put(typeText, type);
            }
        }
        return walk(json, type);
    }

    private static JsonNode walk(JsonNode value, Type type) {
        if (value == null || value.isNull() || type.children().isEmpty()) {
            return value;
        }
        switch (type.base()) {
            case "ARRAY" -> {
                if (!value.isArray()) {
                    return value;
                }
                ArrayNode out = JSON.createArrayNode();
                value.forEach(e -> out.add(walk(e, type.children().get(0))));
                return out;
            }
            case "MAP" -> {
                Type values = type.children().get(1);
                ObjectNode out = JSON.createObjectNode();
                if (value.isArray()) {
                    for (JsonNode entry : value) {
                        JsonNode key = entry.get("key");
                        out.set(key == null || key.isNull() ? "null" : key.isTextual() ? key.textValue()
                                : key.toString(), walk(entry.get("value"), values));
                    }
                    return out;
                }
                if (!value.isObject()) {
                    return value;
                }
                value.fields().forEachRemaining(f -> out.set(f.getKey(), walk(f.getValue(), values)));
                return out;
            }
            case "STRUCT" -> {
                if (!value.isObject()) {
                    return value;
                }
                ObjectNode out = JSON.createObjectNode();
                Map<String, Type> byName = new LinkedHashMap<>();
                for (int i = 0; i < type.fields().size(); i++) {
                    byName.put(type.fields().get(i), type.children().get(i));
                }
                value.fields().forEachRemaining(f -> {
                    Type field = byName.get(f.getKey());
                    out.set(f.getKey(), field == null ? f.getValue() : walk(f.getValue(), field));
                });
                return out;
            }
            default -> {
                return value;
            }
        }
    }

    /** Databricks type text: {@code NAME}, {@code NAME(…)}, {@code ARRAY<t>}, {@code MAP<k, v>}, {@code STRUCT<f: t, …>}. */
    private static final class Parser {
        private final String text;
        private int at;

        Parser(String text) {
            this.text = text;
        }

        Type type() {
            skipSpaces();
            int start = at;
            while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_')) {
                at++;
            }
            String base = text.substring(start, at).toUpperCase(Locale.ROOT);
            skipSpaces();
            if (at < text.length() && text.charAt(at) == '(') {
                at = Math.max(at, text.indexOf(')', at) + 1); // DECIMAL(10,2), VARCHAR(5)
                skipSpaces();
            }
            List<Type> children = new ArrayList<>();
            List<String> fields = new ArrayList<>();
            if (at < text.length() && text.charAt(at) == '<') {
                at++;
                do {
                    skipSpaces();
                    if (at >= text.length()) {
                        break;
                    }
                    if (base.equals("STRUCT")) {
                        fields.add(fieldName());
                    }
                    children.add(type());
                    skipSpaces();
                } while (at < text.length() && text.charAt(at++) == ',');
            }
            return new Type(base, children, fields);
        }

        /** A STRUCT field's name (backquoted or bare) and the colon after it; the rest ({@code NOT NULL}, …) ends at the type. */
        private String fieldName() {
            String name;
            if (text.charAt(at) == '`') {
                int end = at + 1;
                StringBuilder sb = new StringBuilder();
                while (end < text.length()) {
                    if (text.charAt(end) == '`' && end + 1 < text.length() && text.charAt(end + 1) == '`') {
                        sb.append('`');
                        end += 2;
                    } else if (text.charAt(end) == '`') {
                        break;
                    } else {
                        sb.append(text.charAt(end++));
                    }
                }
                name = sb.toString();
                at = end + 1;
            } else {
                int start = at;
                while (at < text.length() && text.charAt(at) != ':' && !Character.isWhitespace(text.charAt(at))) {
                    at++;
                }
                name = text.substring(start, at);
            }
            skipSpaces();
            if (at < text.length() && text.charAt(at) == ':') {
                at++;
            }
            return name;
        }

        private void skipSpaces() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }
    }
}
