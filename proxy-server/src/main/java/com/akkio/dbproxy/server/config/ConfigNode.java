package com.akkio.dbproxy.server.config;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A YAML mapping read with its position in the file, so that every error names the key it is about
 * ({@code tenants.acme.backend}) and unknown keys are refused instead of silently ignored.
 */
final class ConfigNode {
    private final String file;
    private final String path;
    private final JsonNode node;
    private final UnaryOperator<String> expander;

    ConfigNode(String file, String path, JsonNode node, UnaryOperator<String> expander) {
        this.file = file;
        this.path = path;
        this.node = node;
        this.expander = expander;
    }

    String path() {
        return path;
    }

    private String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    ConfigException error(String name, String message) {
        return new ConfigException(file + ": " + key(name) + ": " + message);
    }

    ConfigException error(String message) {
        return new ConfigException(file + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }

    void allowOnly(String... keys) throws ConfigException {
        Set<String> allowed = Set.of(keys);
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw error(name, "unknown key (allowed: " + String.join(", ", keys) + ")");
            }
        }
    }

    java.util.Iterator<String> fieldNames() {
        return node.fieldNames();
    }

    boolean has(String name) {
        JsonNode child = node.get(name);
        return child != null && !child.isNull();
    }

    ConfigNode child(String name) throws ConfigException {
        JsonNode child = node.get(name);
        if (child == null || child.isNull()) {
            return new ConfigNode(file, key(name), com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                    .objectNode(), expander);
        }
        if (!child.isObject()) {
            throw error(name, "must be a mapping");
        }
        return new ConfigNode(file, key(name), child, expander);
    }

    /** The entries of a mapping whose keys are names chosen by the user (backends, tenants). */
    Map<String, ConfigNode> entries(String name) throws ConfigException {
        ConfigNode parent = child(name);
        Map<String, ConfigNode> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = parent.node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            if (!e.getValue().isObject()) {
                throw parent.error(e.getKey(), "must be a mapping");
            }
            out.put(e.getKey(), new ConfigNode(file, parent.key(e.getKey()), e.getValue(), expander));
        }
        return out;
    }

    /** A list of mappings ({@code row_filters}, {@code masks}); each element's key reads {@code masks[2]}. */
    List<ConfigNode> mappings(String name) throws ConfigException {
        JsonNode child = node.get(name);
        List<ConfigNode> out = new ArrayList<>();
        if (child == null || child.isNull()) {
            return out;
        }
        if (!child.isArray()) {
            throw error(name, "must be a list");
        }
        int i = 0;
        for (JsonNode item : child) {
            if (!item.isObject()) {
                throw error(name + "[" + i + "]", "must be a mapping");
            }
            out.add(new ConfigNode(file, key(name) + "[" + i + "]", item, expander));
            i++;
        }
        return out;
    }

    /** True when {@code name} holds a mapping rather than a single value. */
    boolean isMapping(String name) {
        JsonNode child = node.get(name);
        return child != null && child.isObject();
    }

    String string(String name) throws ConfigException {
        String value = optionalString(name, null);
        if (value == null || value.isBlank()) {
            throw error(name, "is required");
        }
        return value;
    }

    String optionalString(String name, String fallback) throws ConfigException {
        JsonNode child = node.get(name);
        if (child == null || child.isNull()) {
            return fallback;
        }
        if (!child.isValueNode()) {
            throw error(name, "must be a single value");
        }
        try {
            return expander.apply(child.asText());
        } catch (IllegalArgumentException e) {
            throw error(name, e.getMessage());
        }
    }

    long longValue(String name, long fallback, long min, long max) throws ConfigException {
        String text = optionalString(name, null);
        if (text == null) {
            return fallback;
        }
        long value;
        try {
            value = Long.parseLong(text.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw error(name, "must be a whole number, got '" + text + "'");
        }
        if (value < min || value > max) {
            throw error(name, "must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    int intValue(String name, int fallback, int min, int max) throws ConfigException {
        return (int) longValue(name, fallback, min, max);
    }

    double doubleValue(String name, double fallback, double min, double max) throws ConfigException {
        String text = optionalString(name, null);
        if (text == null) {
            return fallback;
        }
        double value;
        try {
            value = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw error(name, "must be a number, got '" + text + "'");
        }
        if (!(value >= min && value <= max)) {
            throw error(name, "must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    boolean bool(String name, boolean fallback) throws ConfigException {
        String text = optionalString(name, null);
        if (text == null) {
            return fallback;
        }
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error(name, "must be true or false, got '" + text + "'");
        };
    }

    List<String> strings(String name) throws ConfigException {
        JsonNode child = node.get(name);
        List<String> out = new ArrayList<>();
        if (child == null || child.isNull()) {
            return out;
        }
        if (!child.isArray()) {
            throw error(name, "must be a list");
        }
        for (JsonNode item : child) {
            if (!item.isValueNode() || item.asText().isBlank()) {
                throw error(name, "must be a list of non-empty values");
            }
            try {
                out.add(expander.apply(item.asText()));
            } catch (IllegalArgumentException e) {
                throw error(name, e.getMessage());
            }
        }
        return out;
    }
}
