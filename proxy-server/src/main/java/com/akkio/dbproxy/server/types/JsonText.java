package com.akkio.dbproxy.server.types;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;

/**
 * The JSON text of a {@link ValueType.Kind#JSON} value the core hands over as nested lists (a backend's STRUCT or
 * MAP read as lists), as DuckDB's {@code to_json} writes it: NaN and infinities bare, values JSON has no type for as
 * their SQL text ({@link SqlText}), binary as {@code \x…} hex. Front ends that send JSON as text share it.
 */
public final class JsonText {
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS).build();

    private JsonText() {
    }

    public static String of(List<?> lists) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            write(g, lists);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object item : list) {
                write(g, item);
            }
            g.writeEndArray();
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof BigDecimal d) {
            g.writeNumber(d.toPlainString());
        } else if (v instanceof Float || v instanceof Double) {
            g.writeNumber(((Number) v).doubleValue());
        } else if (v instanceof Number n) {
            g.writeNumber(n.longValue());
        } else if (v instanceof byte[] b) {
            g.writeString("\\x" + HexFormat.of().formatHex(b));
        } else {
            g.writeString(SqlText.of(v));
        }
    }
}
