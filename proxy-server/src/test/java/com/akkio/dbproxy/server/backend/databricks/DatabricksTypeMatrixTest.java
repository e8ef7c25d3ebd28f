package com.akkio.dbproxy.server.backend.databricks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.JDBCType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.akkio.dbproxy.server.ClientProcess;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.ProxyServer;
import com.akkio.dbproxy.server.ReadmeTables;
import com.akkio.dbproxy.server.SlowTest;
import com.akkio.dbproxy.server.SqlStates;
import com.akkio.dbproxy.server.TypeZoo;
import com.akkio.dbproxy.server.TypeZoo.Check;
import com.akkio.dbproxy.server.TypeZoo.Column;
import com.akkio.dbproxy.server.backend.databricks.emulator.EmulatorTypes;
import com.akkio.dbproxy.server.config.ConfigLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Databricks' types through the real databricks-jdbc 3.4.5 and the proxy, to both front ends: the emulator serves a
 * {@code sales.type_zoo} with one column of each type it can (ARRAY, STRUCT and MAP among them, with the type texts
 * and the JSON values a warehouse sends), and every value reaches the client jar and pgjdbc as DuckDB (under the
 * emulator) prints it, typed as README's table "Databricks over both front ends" says. The emulator listens on
 * 127.0.0.12:443.
 */
@LiveServerTest
class DatabricksTypeMatrixTest {
    static final String TABLE = "### Databricks over both front ends";
    static final List<Column> COLUMNS = List.of(
            new Column("c_tinyint", "TINYINT", Check.INTEGER), new Column("c_smallint", "SMALLINT", Check.INTEGER),
            new Column("c_int", "INT", Check.INTEGER), new Column("c_bigint", "BIGINT", Check.INTEGER),
            new Column("c_decimal", "DECIMAL(10,2)", Check.DECIMAL), new Column("c_float", "FLOAT", Check.REAL),
            new Column("c_double", "DOUBLE", Check.DOUBLE), new Column("c_boolean", "BOOLEAN", Check.BOOLEAN),
            new Column("c_string", "STRING", Check.TEXT), new Column("c_date", "DATE", Check.DATE),
            new Column("c_timestamp", "TIMESTAMP_NTZ", Check.TIMESTAMP),
            new Column("c_timestamp_ltz", "TIMESTAMP", Check.TIMESTAMP),
            new Column("c_binary", "BINARY", Check.BLOB),
            new Column("c_interval_ym", "INTERVAL YEAR TO MONTH", Check.TEXT),
            new Column("c_interval_dt", "INTERVAL DAY TO SECOND", Check.TEXT),
            new Column("c_variant", "VARIANT", Check.JSON_TEXT),
            new Column("c_void", "VOID", Check.INTEGER),
            new Column("c_array", "ARRAY<INT>", Check.JSON_VALUE),
            new Column("c_array_string", "ARRAY<STRING>", Check.JSON_VALUE),
            new Column("c_array_struct", "ARRAY<STRUCT<a: INT>>", Check.JSON_VALUE),
            new Column("c_struct", "STRUCT<id: INT, n: STRING>", Check.JSON_VALUE),
            new Column("c_map", "MAP<STRING, INT>", Check.JSON_VALUE),
            new Column("c_map_int", "MAP<INT, STRING>", Check.JSON_VALUE),
            new Column("c_array_array", "ARRAY<ARRAY<INT>>", Check.JSON_VALUE),
            new Column("c_struct_nested", "STRUCT<s: STRUCT<b: INT>, l: ARRAY<STRING>>", Check.JSON_VALUE),
            new Column("c_array_map", "ARRAY<MAP<STRING, INT>>", Check.JSON_VALUE),
            new Column("c_struct_map", "STRUCT<m: MAP<INT, STRING>, l: ARRAY<MAP<STRING, BIGINT>>>",
                    Check.JSON_VALUE),
            new Column("c_map_nested", "MAP<STRING, MAP<INT, ARRAY<INT>>>", Check.JSON_VALUE));

    @TempDir
    static Path dir;
    static DatabricksFixture dbx;
    static Map<String, Map<String, String>> readme;

    @BeforeAll
    static void start() throws Exception {
        // 30 s for a backend connection: this class outlives the pool's 60 s connection lifetime, and the driver's
        // new connections after it took longer than the fixture's 5 s here (its first, in a cold JVM, too)
        dbx = new DatabricksFixture(dir, "127.0.0.12", 3600, true, 30_000);
        dbx.emulator.setUp("CREATE TABLE acme_prod.sales.type_zoo (id INTEGER, c_tinyint TINYINT,"
                + " c_smallint SMALLINT, c_int INTEGER, c_bigint BIGINT, c_decimal DECIMAL(10, 2), c_float REAL,"
                + " c_double DOUBLE, c_boolean BOOLEAN, c_string VARCHAR, c_date DATE, c_timestamp TIMESTAMP,"
                + " c_binary BLOB, c_interval_ym INTERVAL, c_interval_dt INTERVAL, c_variant JSON, c_void INTEGER,"
                + " c_array INTEGER[], c_array_string VARCHAR[], c_array_struct STRUCT(a INTEGER)[],"
                + " c_struct STRUCT(id INTEGER, n VARCHAR), c_map MAP(VARCHAR, INTEGER), c_array_array INTEGER[][],"
                + " c_struct_nested STRUCT(s STRUCT(b INTEGER), l VARCHAR[]), c_timestamp_ltz TIMESTAMPTZ,"
                + " c_map_int MAP(INTEGER, VARCHAR), c_array_map MAP(VARCHAR, INTEGER)[],"
                + " c_struct_map STRUCT(m MAP(INTEGER, VARCHAR), l MAP(VARCHAR, BIGINT)[]),"
                + " c_map_nested MAP(VARCHAR, MAP(INTEGER, INTEGER[])))");
        // the types DuckDB lacks: its INTERVAL and an always-NULL column declared as Databricks has them
        dbx.emulator.declareType("c_interval_ym", "INTERVAL YEAR TO MONTH");
        dbx.emulator.declareType("c_void", "VOID");
        dbx.emulator.setUp("INSERT INTO acme_prod.sales.type_zoo VALUES"
                + " (1, 1, 2, 3, 4, 12345678.90, 1.5, 0.1, true, 'hello', DATE '2024-02-29',"
                + " TIMESTAMP '2024-02-29 12:34:56.123456', '\\x00\\xFFab'::BLOB, INTERVAL '14 months',"
                + " INTERVAL '1 day 02:03:04.5', '{\"a\": [1, 2.5, \"x\"], \"b\": null}', NULL,"
                + " [1, 2, NULL], ['a', 'b c', NULL], [{'a': 1}, NULL],"
                + " {'id': 1, 'n': 'x'}, MAP {'k1': 1, 'k2': 2}, [[1, 2], NULL, []], {'s': {'b': 7}, 'l': ['p', NULL]},"
                + " TIMESTAMPTZ '2024-02-29 12:34:56.123456+00', MAP {7: 'x', -3: 'y z'},"
                + " [MAP {'a': 1, 'b c': NULL}, MAP {}, NULL], {'m': MAP {7: 'x'}, 'l': [MAP {'k': 9}]},"
                + " MAP {'o': MAP {1: [1, NULL], -2: []}, 'e': MAP {}}),"
                + " (2, -128, 32767, -2147483648, 9223372036854775807, -99999999.99, -0.25, 1e300, false,"
                + " 'Zoë \"quoted\", {braced}', DATE '1969-12-31', TIMESTAMP '1969-12-31 23:59:59.999999', ''::BLOB,"
                + " -INTERVAL '25 months', -INTERVAL '3 days 00:00:01.000001', '[]', NULL, [], [],"
                + " [], {'id': NULL, 'n': 'q\"uote'}, MAP {}, [], {'s': NULL, 'l': []},"
                + " TIMESTAMPTZ '1969-12-31 23:59:59.999999-05', MAP {}, [], {'m': MAP {}, 'l': []}, MAP {}),"
                + " (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
                + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
                // the IEEE values a FLOAT or DOUBLE can hold besides numbers
                + " (4, NULL, NULL, NULL, NULL, NULL, 'NaN', 'Infinity', NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
                + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
                + " (5, NULL, NULL, NULL, NULL, NULL, '-Infinity', 'NaN', NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
                + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
        readme = ReadmeTables.byFirstColumn(TABLE);
    }

    @AfterAll
    static void stop() throws Exception {
        dbx.close();
    }

    @Test
    void theReadmeTableHasARowForEveryColumnTheEmulatorServes() {
        List<String> served = readme.keySet().stream().filter(k -> !k.equals("—")).toList();
        assertThat(served).containsExactlyElementsOf(COLUMNS.stream().map(Column::name).toList());
        COLUMNS.forEach(c -> assertThat(readme.get(c.name()).get("Databricks type")).as(c.name())
                .isEqualTo(c.duckdbType()));
    }

    @Test
    void everyValueReachesTheClientJarAsTheWarehouseHasIt() throws Exception {
        try (Connection c = dbx.acme()) {
            assertThat(compare(c, TypeZoo.Precision.MILLIS, md -> JDBCType.valueOf(md.getColumnType(2)).getName(),
                    "Avatica JDBC type", "getObject")).isEmpty();
        }
    }

    @Test
    void everyValueReachesTheClientJarOverJsonAsOverProtobuf() throws Exception {
        // a second proxy on the same warehouse that speaks Avatica's JSON: the README's getObject column holds for both
        Path config = Files.writeString(dir.resolve("proxy-json.yaml"), Files.readString(dir.resolve("proxy.yaml"))
                .replace("server: { port: 0,", "server: { port: 0, serialization: json,")
                .replace("audit: { path: audit.jsonl }", "audit: { path: audit-json.jsonl }"));
        assertThat(Files.readString(config)).contains("serialization: json", "audit-json.jsonl");
        try (ProxyServer json = ProxyServer.start(ConfigLoader.load(config), 0);
             Connection c = SqlStates.connect("jdbc:akkio://127.0.0.1:" + json.port() + "?serialization=json",
                     DemoProxy.credentials("acme", "acme-secret"))) {
            assertThat(compare(c, TypeZoo.Precision.MILLIS, md -> JDBCType.valueOf(md.getColumnType(2)).getName(),
                    "Avatica JDBC type", "getObject")).isEmpty();
        }
    }

    @Test
    void everyValueReachesPgjdbcAsTheWarehouseHasIt() throws Exception {
        try (Connection c = SqlStates.connect("jdbc:postgresql://127.0.0.1:" + dbx.proxy.postgresPort()
                + "/main?sslmode=disable", DemoProxy.credentials("acme", "acme-secret"))) {
            assertThat(compare(c, TypeZoo.Precision.MICROS, md -> {
                String name = md.getColumnTypeName(2);
                return name.startsWith("_") ? name.substring(1) + "[]" : name;
            }, "PostgreSQL type", null)).isEmpty();
        }
    }

    /**
     * psql prints every value as the PostgreSQL front end's text of it, the text pgjdbc's simple queries read (whose
     * values the test above compares with the warehouse's): NULL as psql's null string, fields and rows split by
     * separators no value holds.
     */
    @Test
    void psqlPrintsEveryValueAsPgjdbcReadsItsText() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/psql")), "postgresql-client not installed");
        StringBuilder expected = new StringBuilder();
        String select = "SELECT " + String.join(", ", COLUMNS.stream().map(Column::name).toList())
                + " FROM type_zoo ORDER BY id";
        try (Connection c = dbx.acmeOverPostgres(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery(select)) {
            int n = r.getMetaData().getColumnCount();
            while (r.next()) {
                for (int i = 1; i <= n; i++) {
                    String v = r.getString(i);
                    expected.append(i > 1 ? "\u001f" : "").append(v == null ? "<NULL>" : v);
                }
                expected.append('\u001e');
            }
        }
        ClientProcess.Result psql = ClientProcess.run(List.of("psql", "-h", "127.0.0.1", "-p",
                Integer.toString(dbx.proxy.postgresPort()), "-U", "acme", "-d", "main", "-X", "-A", "-t",
                "-F", "\u001f", "-R", "\u001e", "-P", "null=<NULL>", "-v", "ON_ERROR_STOP=1", "-c", select),
                Map.of("PGPASSWORD", "acme-secret", "PGSSLMODE", "disable"), Duration.ofSeconds(120));
        assertThat(psql.finished()).as("psql finished in time").isTrue();
        assertThat(psql.exitCode()).as(psql.output()).isZero();
        assertThat(expected.length()).isGreaterThan(COLUMNS.size() * 5);
        assertThat(psql.output().strip()).isEqualTo(expected.toString().strip());
    }

    /**
     * {@code getTypeInfo} lists the JDBC type of every column family. ({@code getColumns} is not checked here: the
     * driver asks for columns with {@code SHOW COLUMNS IN CATALOG …}, which the emulator does not answer.)
     */
    @Test
    void getTypeInfoListsTheJdbcTypeOfEveryDatabricksType() throws Exception {
        try (Connection c = dbx.acme()) {
            java.util.Set<String> listed = new java.util.HashSet<>();
            try (ResultSet r = c.getMetaData().getTypeInfo()) {
                while (r.next()) {
                    listed.add(JDBCType.valueOf(r.getInt("DATA_TYPE")).getName());
                }
            }
            assertThat(listed).containsAll(COLUMNS.stream()
                    .map(col -> readme.get(col.name()).get("Avatica JDBC type")).toList());
        }
    }

    @SlowTest
    @Test
    void pythonClientsGetEveryValueAsTheReadmeSays() throws Exception {
        assumeTrue(ClientProcess.pythonHas("jpype.dbapi2", "pandas", "psycopg2", "sqlalchemy"),
                "python3-jpype / python3-pandas / python3-psycopg2 / python3-sqlalchemy not installed");
        Path jaydebeapi = Path.of("../../shared/clients/jaydebeapi");
        assumeTrue(Files.isDirectory(jaydebeapi), "JayDeBeApi is not at " + jaydebeapi.toAbsolutePath());
        ClientProcess.Result result = ClientProcess.run(List.of(ClientProcess.PYTHON.toString(),
                "src/test/python/dbx_type_matrix.py", ClientProcess.CLIENT_JAR.toAbsolutePath().toString(),
                Integer.toString(dbx.proxy.port()), Integer.toString(dbx.proxy.postgresPort()),
                Path.of("../README.md").toAbsolutePath().toString()),
                Map.of("PYTHONPATH", jaydebeapi.toAbsolutePath().normalize().toString()), Duration.ofSeconds(300));
        assertThat(result.finished()).as("python finished in time").isTrue();
        // every column through jpype.dbapi2, JayDeBeApi and psycopg2, and pandas over both front ends
        assertThat(result.output()).contains("dbx-types: " + (3 * COLUMNS.size() + 2) + " passed, 0 failed");
        assertThat(result.exitCode()).isZero();
    }

    /** A Databricks interval is the driver's literal of it ({@code 1-2}, {@code 1 02:03:04.500000000}). */
    private static String intervalMismatch(Column column, int id, Object v, TypeZoo.Oracle oracle) {
        String text = oracle.text().get(id);
        String expected = text == null ? null : EmulatorTypes.intervalLiteral(text, column.duckdbType());
        String actual = v == null ? null : v.toString();
        return java.util.Objects.equals(expected, actual) ? null : "expected " + expected + ", got " + actual;
    }

    /**
     * A Databricks TIMESTAMP is an instant the driver hands over as the wall clock of the session time zone (UTC):
     * DuckDB's text of the instant, at UTC, to the front end's precision.
     */
    private static String instantMismatch(int id, Object v, TypeZoo.Oracle oracle, TypeZoo.Precision precision) {
        String text = oracle.text().get(id);
        java.time.LocalDateTime expected = text == null ? null : TypeZoo.offsetDateTime(text)
                .withOffsetSameInstant(java.time.ZoneOffset.UTC).toLocalDateTime()
                .truncatedTo(precision == TypeZoo.Precision.MILLIS ? java.time.temporal.ChronoUnit.MILLIS
                        : java.time.temporal.ChronoUnit.MICROS);
        java.time.LocalDateTime actual = v instanceof java.sql.Timestamp t ? t.toLocalDateTime()
                : v instanceof java.time.LocalDateTime t ? t : null;
        return java.util.Objects.equals(expected, actual) ? null : "expected " + expected + ", got " + v;
    }

    /** The type of a result's value column, as a client names it. */
    private interface ValueColumnType {
        String of(ResultSetMetaData md) throws SQLException;
    }

    /**
     * Each column's values against DuckDB's text of them, its type as {@code types} reads it against README's
     * {@code typeColumn}, and (where {@code classColumn} names one) the class of its values.
     */
    private static List<String> compare(Connection c, TypeZoo.Precision precision, ValueColumnType types,
                                        String typeColumn, String classColumn) throws SQLException {
        List<String> failures = new ArrayList<>();
        for (Column column : COLUMNS) {
            TypeZoo.Oracle oracle = TypeZoo.oracle(c, column);
            Map<String, String> row = readme.get(column.name());
            Class<?> wanted = classColumn == null ? Object.class : TypeZoo.javaClass(row.get(classColumn));
            String sql = "SELECT id, " + column.name() + " FROM type_zoo ORDER BY id";
            // prepared too: the driver describes a prepared statement's columns from DESCRIBE QUERY, more coarsely
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql);
                 PreparedStatement p = c.prepareStatement(sql); ResultSet pr = p.executeQuery()) {
                for (ResultSet result : List.of(r, pr)) {
                    String type = types.of(result.getMetaData());
                    if (!type.equals(row.get(typeColumn))) {
                        failures.add(column.name() + ": type " + type);
                    }
                    while (result.next()) {
                        Object v = result.getObject(2);
                        int id = result.getInt(1);
                        String mismatch = column.duckdbType().startsWith("INTERVAL")
                                ? intervalMismatch(column, id, v, oracle)
                                : column.duckdbType().equals("TIMESTAMP") ? instantMismatch(id, v, oracle, precision)
                                : TypeZoo.mismatch(column, id, v, oracle, precision);
                        if (mismatch != null) {
                            failures.add(column.name() + " row " + id + ": " + mismatch);
                        }
                        if (v != null && !wanted.isInstance(v)) {
                            failures.add(column.name() + " row " + id + ": a " + v.getClass().getName());
                        }
                    }
                }
            }
        }
        return failures;
    }
}
