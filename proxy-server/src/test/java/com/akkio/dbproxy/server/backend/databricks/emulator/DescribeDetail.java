package com.akkio.dbproxy.server.backend.databricks.emulator;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code DESCRIBE DETAIL <table>} as a warehouse answers it: one row with Delta's detail columns (Databricks "Review
 * table details with describe detail": format, id, name, description, location, createdAt, lastModified,
 * partitionColumns, clusteringColumns, numFiles, sizeInBytes, properties, minReaderVersion, minWriterVersion,
 * tableFeatures, statistics), as a DuckDB query over the table. The docs' table types sizeInBytes {@code int}; Delta's
 * own {@code TableDetail} declares it a long, and so does this answer ({@code bigint}).
 *
 * <p>A warehouse reports the bytes of the snapshot's Parquet files. DuckDB keeps no files here, so
 * {@code sizeInBytes} is a deterministic estimate that grows with the data: the bytes of each row's text form
 * ({@code strlen(CAST(row AS VARCHAR))}, DuckDB's byte length) summed; {@code numFiles} is 1 for a table with rows,
 * else 0. Creation and modification times are not tracked (NULL).
 */
final class DescribeDetail {
    /** {@code DESCRIBE DETAIL} and a table name of one to three parts, each bare or double-quoted. */
    private static final String PART = "(?:\"(?:[^\"]|\"\")+\"|[A-Za-z_][A-Za-z0-9_]*)";
    private static final Pattern STATEMENT = Pattern.compile("(?is)\\s*DESCRIBE\\s+DETAIL\\s+(" + PART
            + "(?:\\s*\\.\\s*" + PART + "){0,2})\\s*;?\\s*");

    private DescribeDetail() {
    }

    /** The DuckDB query answering {@code statement} (backticks already turned to double quotes), or null. */
    static String query(String statement) {
        Matcher m = STATEMENT.matcher(statement);
        if (!m.matches()) {
            return null;
        }
        String table = m.group(1);
        String name = table.replaceAll("\\s*\\.\\s*", ".").replace("\"\"", "\u0000").replace("\"", "")
                .replace("\u0000", "\"").toLowerCase(Locale.ROOT);
        String literal = "'" + name.replace("'", "''") + "'";
        String id = java.util.UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString();
        return "SELECT 'delta' AS format, '" + id + "' AS id, " + literal + " AS name,"
                + " CAST(NULL AS VARCHAR) AS description,"
                + " 's3://emulator-root/' || replace(" + literal + ", '.', '/') AS location,"
                + " CAST(NULL AS TIMESTAMP) AS createdAt, CAST(NULL AS TIMESTAMP) AS lastModified,"
                + " CAST([] AS VARCHAR[]) AS partitionColumns, CAST([] AS VARCHAR[]) AS clusteringColumns,"
                + " CAST(CASE WHEN count(*) = 0 THEN 0 ELSE 1 END AS BIGINT) AS numFiles,"
                + " CAST(coalesce(sum(strlen(CAST(akkio_detail_row AS VARCHAR))), 0) AS BIGINT)"
                + " AS sizeInBytes, CAST(MAP {} AS MAP(VARCHAR, VARCHAR)) AS properties,"
                + " CAST(1 AS INTEGER) AS minReaderVersion, CAST(2 AS INTEGER) AS minWriterVersion,"
                + " CAST(['appendOnly', 'invariants'] AS VARCHAR[]) AS tableFeatures,"
                + " MAP {'numRowsDeletedByDeletionVectors': CAST(0 AS BIGINT),"
                + " 'numDeletionVectors': CAST(0 AS BIGINT)} AS statistics"
                + " FROM " + table + " AS akkio_detail_row";
    }
}
