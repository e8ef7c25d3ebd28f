package com.akkio.dbproxy.server.backend.databricks.emulator;

import java.io.IOException;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How the emulated warehouse hands over a statement's result: the manifest (schema, chunks) and the chunks
 * themselves, kept per statement for the driver to fetch one by one. Statement lifecycle is
 * {@link DatabricksEmulator}'s; this class only encodes a finished result.
 */
final class EmulatorResults {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An HTTP answer: status and JSON body. */
    record Reply(int status, JsonNode body) {
    }

    /** The chunks of an EXTERNAL_LINKS result: their manifest entries and their objects on the storage host. */
    private record Stored(List<ObjectNode> parts, List<String> objects) {
    }

    private final Map<String, List<ObjectNode>> chunks = new ConcurrentHashMap<>();
    private final Map<String, Stored> links = new ConcurrentHashMap<>();
    private final Map<String, String> declaredTypes = new ConcurrentHashMap<>();
    private volatile int chunkRows;
    private volatile int failChunksFrom = -1;
    private volatile long inlineLimitBytes = 16 * 1024;
    /**
     * A warehouse aborts a statement whose {@code INLINE} result is over 25 MiB ("Statements executed with INLINE
     * disposition … larger than 25 MiB … aborted, and no result set will be available", Statement Execution API).
     */
    static final long INLINE_DISPOSITION_LIMIT = 26_214_400;
    private volatile long inlineDispositionLimit = INLINE_DISPOSITION_LIMIT;
    private volatile java.time.Duration linkLifetime = java.time.Duration.ofMinutes(15);
    private volatile StorageHost storage;
    private final List<String> served = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** How each result so far was sent: {@code JSON_ARRAY}, {@code ARROW_STREAM INLINE}, {@code ARROW_STREAM LINKS}. */
    List<String> served() {
        return List.copyOf(served);
    }

    void storage(StorageHost host) {
        this.storage = host;
    }

    /**
     * Arrow results up to this size go inline with {@code INLINE_OR_EXTERNAL_LINKS}. A warehouse's own threshold is
     * not documented; 16 KiB here keeps the type tables inline and sends a few thousand rows through links.
     */
    void inlineLimitBytes(long bytes) {
        this.inlineLimitBytes = bytes;
    }

    /** How long a presigned link stays valid (cloud storage: minutes). */
    void linkLifetime(java.time.Duration lifetime) {
        this.linkLifetime = lifetime;
    }

    /**
     * Result columns labelled {@code label} have the Databricks type {@code typeText}, for the types DuckDB has no
     * own for ({@code INTERVAL YEAR TO MONTH}, {@code VOID}).
     */
    void declare(String label, String typeText) {
        declaredTypes.put(label, typeText);
    }

    /** The type {@code DESCRIBE QUERY} gives a column {@code label} of DuckDB type {@code duckType}. */
    String describedType(String label, String duckType) {
        String declared = declared(label);
        return declared != null ? declared : EmulatorTypes.databricksTypeText(duckType);
    }

    private String declared(String label) {
        return declaredTypes.get(label);
    }

    /** The INLINE disposition's limit (a warehouse's: {@link #INLINE_DISPOSITION_LIMIT}). */
    void inlineDispositionLimit(long bytes) {
        this.inlineDispositionLimit = bytes;
    }

    /**
     * The failure of a statement whose INLINE result is over the limit, as a warehouse reports it: error code
     * {@code BAD_REQUEST} and no SQLSTATE (its text, as Databricks clients quote it).
     */
    static final class InlineLimitExceeded extends SQLException {
        InlineLimitExceeded(long limit) {
            super("Inline byte limit exceeded. Statements executed with disposition=INLINE can have a result size of"
                    + " at most " + limit + " bytes. Please execute the statement with disposition=EXTERNAL_LINKS if"
                    + " you want to download the full result.");
        }
    }

    void chunkRows(int rows) {
        this.chunkRows = rows;
    }

    void failChunksFrom(int index) {
        this.failChunksFrom = index;
    }

    /**
     * Writes {@code manifest} and {@code result} of statement {@code id} into {@code response}, from the result set
     * or update count {@code s} has after {@code execute} returned {@code rows} (or the rows a CREATE TABLE … AS
     * wrote, {@code created}, when not -1), in the {@code format}, {@code disposition} and {@code result_compression}
     * the request asks for.
     */
    void encode(ObjectNode response, String id, JsonNode request, Statement s, boolean rows, long created)
            throws SQLException, IOException {
        List<ArrowResults.Column> columns = new ArrayList<>();
        List<Object[]> data = new ArrayList<>();
        if (rows) {
            try (ResultSet rs = s.getResultSet()) {
                ResultSetMetaData md = rs.getMetaData();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    String declared = declared(md.getColumnLabel(i));
                    columns.add(new ArrowResults.Column(md.getColumnLabel(i),
                            declared != null ? declared : EmulatorTypes.typeText(md, i)));
                }
                while (rs.next()) {
                    Object[] row = new Object[columns.size()];
                    for (int i = 1; i <= row.length; i++) {
                        row[i - 1] = md.getColumnTypeName(i).equals("BLOB") ? rs.getBytes(i) : plain(rs.getObject(i));
                    }
                    data.add(row);
                }
            }
        } else {
            columns.add(new ArrowResults.Column("num_affected_rows", "BIGINT"));
            data.add(new Object[] {created >= 0 ? created : (long) Math.max(0, s.getUpdateCount())});
        }
        String format = request.path("format").asText("JSON_ARRAY");
        String disposition = request.path("disposition").asText("INLINE");
        boolean lz4 = request.path("result_compression").asText("NONE").equals("LZ4_FRAME")
                && !format.equals("JSON_ARRAY");
        ObjectNode manifest = response.putObject("manifest").put("format", format);
        if (lz4) {
            manifest.put("result_compression", "LZ4_FRAME");
        }
        ObjectNode schema = manifest.putObject("schema").put("column_count", columns.size());
        ArrayNode columnsOut = schema.putArray("columns");
        for (int i = 0; i < columns.size(); i++) {
            ArrowResults.Column c = columns.get(i);
            ObjectNode col = columnsOut.addObject().put("name", c.name()).put("position", i)
                    .put("type_name", EmulatorTypes.typeNameOf(c.typeText())).put("type_text", c.typeText());
            if (c.typeText().startsWith("DECIMAL(")) {
                String[] ps = c.typeText().substring(8, c.typeText().length() - 1).split(",");
                col.put("type_precision", Integer.parseInt(ps[0].strip())).put("type_scale", Integer.parseInt(ps[1].strip()));
            }
        }
        if (format.equals("JSON_ARRAY")) {
            served.add("JSON_ARRAY");
            jsonChunks(response, manifest, id, columns, data);
        } else {
            arrowChunks(response, manifest, id, columns, data, disposition, lz4);
        }
    }

    private void jsonChunks(ObjectNode response, ObjectNode manifest, String id, List<ArrowResults.Column> columns,
                            List<Object[]> rows) throws SQLException, IOException {
        ArrayNode data = JSON.createArrayNode();
        for (Object[] row : rows) {
            ArrayNode out = data.addArray();
            for (int i = 0; i < row.length; i++) {
                out.add(jsonValue(columns.get(i).typeText(), row[i]));
            }
        }
        // a warehouse counts its internal representation, not the JSON text: the JSON's size stands in for it
        long bytes = JSON.writeValueAsBytes(data).length;
        if (bytes > inlineDispositionLimit) {
            throw new InlineLimitExceeded(inlineDispositionLimit);
        }
        int size = chunkRows > 0 && data.size() > chunkRows ? chunkRows : Math.max(1, data.size());
        List<ObjectNode> parts = new ArrayList<>();
        ArrayNode manifestChunks = JSON.createArrayNode();
        for (int offset = 0; offset == 0 || offset < data.size(); offset += size) {
            int index = parts.size();
            ArrayNode rowsOfChunk = JSON.createArrayNode();
            for (int r = offset; r < Math.min(data.size(), offset + size); r++) {
                rowsOfChunk.add(data.get(r));
            }
            ObjectNode chunk = JSON.createObjectNode().put("chunk_index", index).put("row_offset", offset)
                    .put("row_count", rowsOfChunk.size());
            chunk.set("data_array", rowsOfChunk);
            if (offset + size < data.size()) {
                chunk.put("next_chunk_index", index + 1).put("next_chunk_internal_link",
                        "/api/2.0/sql/statements/" + id + "/result/chunks/" + (index + 1));
            }
            parts.add(chunk);
            manifestChunks.addObject().put("chunk_index", index).put("row_offset", offset)
                    .put("row_count", rowsOfChunk.size());
        }
        chunks.put(id, parts);
        manifest.put("total_row_count", data.size()).put("total_chunk_count", parts.size())
                .put("truncated", false);
        manifest.set("chunks", manifestChunks);
        response.set("result", parts.get(0).deepCopy());
    }

    /**
     * An Arrow result: with {@code INLINE_OR_EXTERNAL_LINKS}, one chunk of at most {@link #inlineLimitBytes} goes
     * inline as the base64 {@code attachment}; anything larger, and everything with {@code EXTERNAL_LINKS}, is
     * stored on the storage host, one object per chunk of {@link #chunkRows} rows, the response and each
     * {@code result/chunks/N} carrying the presigned link of that chunk.
     */
    private void arrowChunks(ObjectNode response, ObjectNode manifest, String id, List<ArrowResults.Column> columns,
                             List<Object[]> rows, String disposition, boolean lz4) throws IOException, SQLException {
        int size = chunkRows > 0 ? chunkRows : Math.max(1, rows.size());
        List<byte[]> encoded = new ArrayList<>();
        List<int[]> ranges = new ArrayList<>();
        for (int offset = 0; offset < rows.size(); offset += size) {
            List<Object[]> part = rows.subList(offset, Math.min(rows.size(), offset + size));
            encoded.add(ArrowResults.encode(columns, part, lz4));
            ranges.add(new int[] {offset, part.size()});
        }
        long bytes = encoded.stream().mapToLong(b -> b.length).sum();
        manifest.put("total_row_count", rows.size()).put("total_chunk_count", encoded.size())
                .put("total_byte_count", bytes).put("truncated", false);
        ArrayNode manifestChunks = manifest.putArray("chunks");
        for (int i = 0; i < encoded.size(); i++) {
            manifestChunks.addObject().put("chunk_index", i).put("row_offset", ranges.get(i)[0])
                    .put("row_count", ranges.get(i)[1]).put("byte_count", encoded.get(i).length);
        }
        boolean inline = disposition.equals("INLINE") || disposition.equals("INLINE_OR_EXTERNAL_LINKS")
                && encoded.size() <= 1 && bytes <= inlineLimitBytes;
        served.add("ARROW_STREAM " + (encoded.isEmpty() ? "EMPTY" : inline ? "INLINE" : "LINKS"));
        if (encoded.isEmpty()) {
            return; // a warehouse sends no chunk for an empty result: total_chunk_count 0
        }
        if (inline) {
            if (encoded.size() > 1) {
                encoded = List.of(ArrowResults.encode(columns, rows, lz4)); // INLINE has one attachment
            }
            if (disposition.equals("INLINE") && encoded.get(0).length > inlineDispositionLimit) {
                throw new InlineLimitExceeded(inlineDispositionLimit);
            }
            response.putObject("result").put("chunk_index", 0).put("row_offset", 0).put("row_count", rows.size())
                    .put("byte_count", encoded.get(0).length).put("attachment", encoded.get(0));
            return;
        }
        StorageHost host = storage;
        if (host == null) {
            throw new IOException("the emulator has no storage host for EXTERNAL_LINKS results");
        }
        List<ObjectNode> parts = new ArrayList<>();
        for (int i = 0; i < encoded.size(); i++) {
            parts.add(JSON.createObjectNode().put("chunk_index", i).put("row_offset", ranges.get(i)[0])
                    .put("row_count", ranges.get(i)[1]).put("byte_count", encoded.get(i).length));
        }
        links.put(id, new Stored(parts, host.store(id, encoded)));
        response.set("result", linksOf(id, 0));
    }

    /** {@code {"external_links": [...]}} for chunk {@code index}, with a freshly signed link. */
    private ObjectNode linksOf(String id, int index) {
        Stored stored = links.get(id);
        ObjectNode link = stored.parts().get(index).deepCopy();
        link.put("external_link", storage.presign(stored.objects().get(index), linkLifetime))
                .put("expiration", java.time.Instant.now().plus(linkLifetime).toString());
        ObjectNode headers = link.putObject("http_headers");
        storage.headers(stored.objects().get(index)).forEach(headers::put);
        if (index + 1 < stored.parts().size()) {
            link.put("next_chunk_index", index + 1)
                    .put("next_chunk_internal_link", "/api/2.0/sql/statements/" + id + "/result/chunks/" + (index + 1));
        }
        ObjectNode out = JSON.createObjectNode();
        out.putArray("external_links").add(link);
        return out;
    }

    /** {@code GET /api/2.0/sql/statements/{id}/result/chunks/{index}}. */
    Reply chunk(String id, int index) {
        if (failChunksFrom >= 0 && index >= failChunksFrom && (links.containsKey(id) || chunks.containsKey(id))) {
            return new Reply(500, error("INTERNAL_ERROR", "result chunk " + index + " was lost"));
        }
        if (links.containsKey(id)) {
            Stored stored = links.get(id);
            return index < stored.parts().size() ? new Reply(200, linksOf(id, index))
                    : new Reply(404, error("NOT_FOUND", "no chunk " + index));
        }
        List<ObjectNode> parts = chunks.get(id);
        if (parts == null || index >= parts.size()) {
            return new Reply(404, error("NOT_FOUND", "no chunk " + index));
        }
        return new Reply(200, parts.get(index));
    }

    /** The statement is closed: its result is gone. */
    void forget(String id) {
        chunks.remove(id);
    }

    /** A value as a warehouse's JSON_ARRAY has it: text, nested values as JSON text, intervals as the driver's. */
    private static String jsonValue(String typeText, Object v) throws SQLException {
        if (v == null) {
            return null;
        }
        String t = typeText.toUpperCase(java.util.Locale.ROOT);
        if (t.startsWith("ARRAY") || t.startsWith("STRUCT") || t.startsWith("MAP")) {
            return jsonText(v);
        }
        if (t.startsWith("INTERVAL")) {
            return EmulatorTypes.interval(v.toString()).literal(EmulatorTypes.isYearMonth(t));
        }
        return v instanceof byte[] b ? java.util.Base64.getEncoder().encodeToString(b) : v.toString();
    }

    private static String jsonText(Object v) throws SQLException {
        try {
            return JSON.writeValueAsString(jsonReady(v));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("cannot write a value as JSON", e);
        }
    }

    /** DuckDB's arrays, structs and maps as lists and maps (Jackson writes them as JSON, Arrow as nested vectors). */
    private static Object plain(Object v) throws SQLException {
        if (v == null) {
            return null;
        }
        if (v instanceof java.sql.Array a) {
            List<Object> out = new ArrayList<>();
            for (Object item : (Object[]) a.getArray()) {
                out.add(item == null ? null : plain(item));
            }
            return out;
        }
        if (v instanceof org.duckdb.DuckDBStruct struct) {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, Object> e : struct.getMap().entrySet()) {
                out.put(e.getKey(), e.getValue() == null ? null : plain(e.getValue()));
            }
            return out;
        }
        if (v instanceof Map<?, ?> map) {
            Map<Object, Object> out = new java.util.LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.put(plain(e.getKey()), plain(e.getValue()));
            }
            return out;
        }
        return v instanceof org.duckdb.JsonNode json ? json.toString() : v;
    }

    /** A plain value as Jackson should write it: numbers, booleans and strings as they are, others as text. */
    private static Object jsonReady(Object v) {
        if (v instanceof List<?> list) {
            return list.stream().map(EmulatorResults::jsonReady).collect(java.util.stream.Collectors.toList());
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            map.forEach((k, x) -> out.put(String.valueOf(k), jsonReady(x)));
            return out;
        }
        return v == null || v instanceof Number || v instanceof Boolean || v instanceof String ? v : v.toString();
    }

    static ObjectNode error(String code, String message) {
        return JSON.createObjectNode().put("error_code", code).put("message", message);
    }
}
