package com.akkio.dbproxy.server.frontend.flight;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * DuckDB's STRUCT and MAP columns as Arrow's own struct and map types, which pyarrow, ADBC and the Flight SQL JDBC
 * driver read as nested values (dicts, maps), where the other front ends send JSON text. Only when every member is of
 * a type that the JSON text the core hands over (the row path) fills exactly: booleans, integers up to BIGINT,
 * DOUBLE, VARCHAR, lists of those, and structs and maps (with VARCHAR keys) of those; any other member (a decimal, a
 * date, a map with INTEGER keys…) leaves the whole column as JSON text. DuckDB's own Arrow export has the same types,
 * so there such a column moves over unconverted.
 */
final class NestedTypes {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private NestedTypes() {
    }

    /** The Arrow field of a DuckDB STRUCT or MAP type name, or null if it has no exact one (JSON text then). */
    static Field field(String name, String typeName) {
        String upper = typeName.strip().toUpperCase(Locale.ROOT);
        if (!upper.startsWith("STRUCT(") && !upper.startsWith("MAP(")) {
            return null;
        }
        try {
            return parse(name, typeName.strip());
        } catch (IllegalArgumentException unparsable) {
            return null;
        }
    }

    private static Field parse(String name, String type) {
        String upper = type.toUpperCase(Locale.ROOT);
        if (type.endsWith("[]")) {
            Field item = parse("item", type.substring(0, type.length() - 2).strip());
            return item == null ? null : new Field(name, FieldType.nullable(ArrowType.List.INSTANCE), List.of(item));
        }
        if (upper.startsWith("STRUCT(") && type.endsWith(")")) {
            List<Field> members = new ArrayList<>();
            for (String member : split(type.substring(7, type.length() - 1))) {
                String[] nameAndType = member(member);
                Field f = parse(nameAndType[0], nameAndType[1]);
                if (f == null) {
                    return null;
                }
                members.add(f);
            }
            return members.isEmpty() ? null : new Field(name, FieldType.nullable(ArrowType.Struct.INSTANCE), members);
        }
        if (upper.startsWith("MAP(") && type.endsWith(")")) {
            List<String> kv = split(type.substring(4, type.length() - 1));
            Field value = kv.size() == 2 && kv.get(0).equalsIgnoreCase("VARCHAR") ? parse("value", kv.get(1)) : null;
            if (value == null) {
                return null; // JSON text has only text keys: only VARCHAR keys come back exactly
            }
            Field key = new Field("key", FieldType.notNullable(ArrowType.Utf8.INSTANCE), null);
            Field entries = new Field("entries", FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(key, value));
            return new Field(name, FieldType.nullable(new ArrowType.Map(false)), List.of(entries));
        }
        ArrowType simple = switch (upper) {
            case "BOOLEAN" -> ArrowType.Bool.INSTANCE;
            case "TINYINT" -> new ArrowType.Int(8, true);
            case "SMALLINT" -> new ArrowType.Int(16, true);
            case "INTEGER" -> new ArrowType.Int(32, true);
            case "BIGINT" -> new ArrowType.Int(64, true);
            case "DOUBLE" -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case "VARCHAR" -> ArrowType.Utf8.INSTANCE;
            default -> null;
        };
        return simple == null ? null : new Field(name, FieldType.nullable(simple), null);
    }

    /** The comma-separated parts of a type list, commas inside parentheses and quotes not counting. */
    private static List<String> split(String list) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')') {
                depth--;
            } else if (!quoted && depth == 0 && c == ',') {
                parts.add(list.substring(start, i).strip());
                start = i + 1;
            }
        }
        if (quoted || depth != 0) {
            throw new IllegalArgumentException("unbalanced type " + list);
        }
        parts.add(list.substring(start).strip());
        return parts;
    }

    /** A struct member's name (DuckDB quotes one that needs it, doubling its quotes) and type. */
    private static String[] member(String member) {
        if (member.startsWith("\"")) {
            int i = 1;
            StringBuilder name = new StringBuilder();
            while (i < member.length()) {
                char c = member.charAt(i);
                if (c == '"' && i + 1 < member.length() && member.charAt(i + 1) == '"') {
                    name.append('"');
                    i += 2;
                } else if (c == '"') {
                    return new String[] {name.toString(), member.substring(i + 1).strip()};
                } else {
                    name.append(c);
                    i++;
                }
            }
            throw new IllegalArgumentException("unterminated name in " + member);
        }
        int space = member.indexOf(' ');
        if (space < 0) {
            throw new IllegalArgumentException("no type in " + member);
        }
        return new String[] {member.substring(0, space), member.substring(space + 1).strip()};
    }

    /** Sets value {@code i} of a struct or map vector from the JSON text the core hands over for it. */
    static void set(FieldVector vector, int i, String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        set(vector, i, node);
    }

    private static void set(FieldVector vector, int i, JsonNode node) {
        if (node == null || node.isNull()) {
            vector.setNull(i);
            return;
        }
        if (vector instanceof MapVector v) {
            require(node.isObject(), node, v);
            int start = v.startNewValue(i);
            StructVector entries = (StructVector) v.getDataVector();
            FieldVector keys = entries.getChildrenFromFields().get(0);
            FieldVector values = entries.getChildrenFromFields().get(1);
            int j = start;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); j++) {
                Map.Entry<String, JsonNode> entry = it.next();
                entries.setIndexDefined(j);
                ((VarCharVector) keys).setSafe(j, entry.getKey().getBytes(StandardCharsets.UTF_8));
                set(values, j, entry.getValue());
            }
            v.endValue(i, j - start);
        } else if (vector instanceof StructVector v) {
            require(node.isObject(), node, v);
            v.setIndexDefined(i);
            for (FieldVector member : v.getChildrenFromFields()) {
                set(member, i, node.get(member.getName()));
            }
        } else if (vector instanceof ListVector v) {
            require(node.isArray(), node, v);
            int start = v.startNewValue(i);
            for (int j = 0; j < node.size(); j++) {
                set(v.getDataVector(), start + j, node.get(j));
            }
            v.endValue(i, node.size());
        } else if (vector instanceof VarCharVector v) {
            require(node.isTextual(), node, v);
            v.setSafe(i, node.textValue().getBytes(StandardCharsets.UTF_8));
        } else if (vector instanceof BitVector v) {
            require(node.isBoolean(), node, v);
            v.setSafe(i, node.booleanValue() ? 1 : 0);
        } else if (vector instanceof Float8Vector v) {
            require(node.isNumber(), node, v);
            v.setSafe(i, node.doubleValue());
        } else {
            require(node.isIntegralNumber() && node.canConvertToLong(), node, vector);
            long value = node.longValue();
            if (vector instanceof TinyIntVector v) {
                v.setSafe(i, Math.toIntExact(fits(value, Byte.MIN_VALUE, Byte.MAX_VALUE)));
            } else if (vector instanceof SmallIntVector v) {
                v.setSafe(i, Math.toIntExact(fits(value, Short.MIN_VALUE, Short.MAX_VALUE)));
            } else if (vector instanceof IntVector v) {
                v.setSafe(i, Math.toIntExact(value));
            } else {
                ((BigIntVector) vector).setSafe(i, value);
            }
        }
    }

    private static long fits(long value, long min, long max) {
        if (value < min || value > max) {
            throw new ArithmeticException(value + " out of range");
        }
        return value;
    }

    private static void require(boolean ok, JsonNode node, FieldVector vector) {
        if (!ok) {
            throw new IllegalArgumentException("a JSON " + node.getNodeType() + " is no "
                    + vector.getField().getType());
        }
    }
}
