package com.akkio.dbproxy.server.backend.databricks.emulator;

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

    private final Map<String, List<ObjectNode>> chunks = new ConcurrentHashMap<>();
    private volatile int chunkRows;
    private volatile int failChunksFrom = -1;

    void chunkRows(int rows) {
        this.chunkRows = rows;
    }

    void failChunksFrom(int index) {
        this.failChunksFrom = index;
    }

    /**
     * Writes {@code manifest} and {@code result} of statement {@code id} into {@code response}, from the result set
     * or update count {@code s} has after {@code execute} returned {@code rows}.
     */
    void encode(ObjectNode response, String id, JsonNode request, Statement s, boolean rows) throws SQLException {
        ObjectNode manifest = response.putObject("manifest").put("format", "JSON_ARRAY");
        ObjectNode schema = manifest.putObject("schema");
        ArrayNode data = JSON.createArrayNode();
        ArrayNode columns = schema.putArray("columns");
        if (rows) {
            try (ResultSet rs = s.getResultSet()) {
                ResultSetMetaData md = rs.getMetaData();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    columns.addObject().put("name", md.getColumnLabel(i)).put("position", i - 1)
                            .put("type_name", EmulatorTypes.typeName(md, i))
                            .put("type_text", EmulatorTypes.typeText(md, i));
                }
                while (rs.next()) {
                    ArrayNode row = data.addArray();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object v = rs.getObject(i);
                        // a warehouse's JSON_ARRAY result has each ARRAY, STRUCT and MAP value as JSON text
                        row.add(v == null ? null : EmulatorTypes.complexTypeText(md.getColumnTypeName(i)) != null
                                ? jsonText(v) : v.toString());
                    }
                }
            }
        } else {
            columns.addObject().put("name", "num_affected_rows").put("position", 0).put("type_name", "LONG")
                    .put("type_text", "BIGINT");
            data.addArray().add(Long.toString(Math.max(0, s.getUpdateCount())));
        }
        schema.put("column_count", columns.size());
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

    /** {@code GET /api/2.0/sql/statements/{id}/result/chunks/{index}}. */
    Reply chunk(String id, int index) {
        List<ObjectNode> parts = chunks.get(id);
        if (parts == null || index >= parts.size()) {
            return new Reply(404, error("NOT_FOUND", "no chunk " + index));
        }
        if (failChunksFrom >= 0 && index >= failChunksFrom) {
            return new Reply(500, error("INTERNAL_ERROR", "result chunk " + index + " was lost"));
        }
        return new Reply(200, parts.get(index));
    }

    /** The statement is closed: its result is gone. */
    void forget(String id) {
        chunks.remove(id);
    }

    private static String jsonText(Object v) throws SQLException {
        try {
            return JSON.writeValueAsString(plain(v));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("cannot write a value as JSON", e);
        }
    }

    /** DuckDB's arrays, structs and maps as lists and maps Jackson writes as JSON; dates and times as text. */
    private static Object plain(Object v) throws SQLException {
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
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.put(String.valueOf(e.getKey()), e.getValue() == null ? null : plain(e.getValue()));
            }
            return out;
        }
        return v instanceof Number || v instanceof Boolean || v instanceof String ? v : v.toString();
    }

    static ObjectNode error(String code, String message) {
        return JSON.createObjectNode().put("error_code", code).put("message", message);
    }
}
