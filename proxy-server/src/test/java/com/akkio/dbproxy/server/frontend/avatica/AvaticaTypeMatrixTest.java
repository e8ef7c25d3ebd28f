package com.akkio.dbproxy.server.frontend.avatica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.akkio.dbproxy.server.ClientProcess;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.ReadmeTables;
import com.akkio.dbproxy.server.SlowTest;
import com.akkio.dbproxy.server.TypeZoo;
import com.akkio.dbproxy.server.config.ProxyConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every value of the demo's {@code type_zoo} (one column of every DuckDB type) through the Avatica front end, with
 * both serializations, as the client jar returns it and as jpype.dbapi2 and pandas do: compared with DuckDB's own text
 * of the value ({@link TypeZoo}), and with README's table "DuckDB over Avatica", whose rows are the expectations.
 */
@LiveServerTest
class AvaticaTypeMatrixTest {
    static final String TABLE = "### DuckDB over Avatica (the client jar, protobuf and JSON alike)";

    @RegisterExtension
    static final DemoProxyExtension PROTOBUF = DemoProxyExtension.of(DemoProxy.builder().unthrottled());
    @RegisterExtension
    static final DemoProxyExtension JSON = DemoProxyExtension.of(DemoProxy.builder().unthrottled()
            .serialization(ProxyConfig.Serialization.JSON));
    static Map<String, Map<String, String>> readme;

    @BeforeAll
    static void readTheReadme() throws Exception {
        readme = ReadmeTables.byFirstColumn(TABLE);
    }

    private static DemoProxy server(ProxyConfig.Serialization serialization) {
        return (serialization == ProxyConfig.Serialization.JSON ? JSON : PROTOBUF).get();
    }

    @ParameterizedTest
    @EnumSource(ProxyConfig.Serialization.class)
    void everyValueOfEveryTypeArrivesAsTheBackendHasItAndAsTheReadmeSays(ProxyConfig.Serialization serialization)
            throws Exception {
        List<String> failures = new ArrayList<>();
        try (Connection c = server(serialization).acme()) {
            for (TypeZoo.Column column : TypeZoo.COLUMNS) {
                TypeZoo.Oracle oracle = TypeZoo.oracle(c, column);
                String sql = "SELECT id, " + column.name() + " FROM type_zoo ORDER BY id";
                // one row per frame: the first frame and every fetch go through the same encoding
                try (Statement s = c.createStatement()) {
                    s.setFetchSize(1);
                    try (ResultSet r = s.executeQuery(sql)) {
                        failures.addAll(compare("statement", column, r, oracle));
                    }
                }
                try (PreparedStatement p = c.prepareStatement(sql); ResultSet r = p.executeQuery()) {
                    failures.addAll(compare("prepared", column, r, oracle));
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    private static List<String> compare(String how, TypeZoo.Column column, ResultSet r, TypeZoo.Oracle oracle)
            throws SQLException {
        List<String> failures = new ArrayList<>();
        Map<String, String> row = readme.get(column.name());
        ResultSetMetaData md = r.getMetaData();
        String where = how + " " + column.name() + ": ";
        if (!JDBCType.valueOf(md.getColumnType(2)).getName().equals(row.get("JDBC type"))) {
            failures.add(where + "JDBC type " + JDBCType.valueOf(md.getColumnType(2)));
        }
        if (!md.getColumnTypeName(2).equals(row.get("DuckDB type"))) {
            failures.add(where + "type name " + md.getColumnTypeName(2));
        }
        int rows = 0;
        while (r.next()) {
            rows++;
            int id = r.getInt(1);
            Object value = r.getObject(2);
            String mismatch = TypeZoo.mismatch(column, id, value, oracle, TypeZoo.Precision.MILLIS);
            if (mismatch != null) {
                failures.add(where + "row " + id + ": " + mismatch);
            }
            if (value != null && !TypeZoo.javaClass(row.get("getObject")).isInstance(value)) {
                failures.add(where + "row " + id + ": getObject gave a " + value.getClass().getName());
            }
            String text = r.getString(2);
            if ((text == null) != (value == null)) {
                failures.add(where + "row " + id + ": getString gave " + text + " for " + value);
            }
        }
        if (rows != TypeZoo.ROWS) {
            failures.add(where + rows + " rows");
        }
        return failures;
    }

    /** A class as README names it: {@code Byte}, {@code BigDecimal}, {@code java.sql.Date}, {@code byte[]}. */

    @ParameterizedTest
    @EnumSource(ProxyConfig.Serialization.class)
    void getColumnsReportsEveryDemoColumnWithTheTypeItsResultsHave(ProxyConfig.Serialization serialization)
            throws Exception {
        try (Connection c = server(serialization).acme()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet r = c.getMetaData().getTables(null, null, "%", null)) {
                while (r.next()) {
                    tables.add(r.getString("TABLE_CAT") + "." + r.getString("TABLE_SCHEM") + "."
                            + r.getString("TABLE_NAME"));
                }
            }
            assertThat(tables).contains("main.sales.orders", "main.sales.customers", "main.sales.type_zoo",
                    "shared_ref.geo.countries");
            for (String table : tables) {
                String[] name = table.split("\\.");
                List<String> reported = new ArrayList<>();
                try (ResultSet r = c.getMetaData().getColumns(name[0], name[1], name[2], "%")) {
                    while (r.next()) {
                        reported.add(r.getString("COLUMN_NAME") + " " + JDBCType.valueOf(r.getInt("DATA_TYPE"))
                                .getName() + " " + r.getString("TYPE_NAME"));
                    }
                }
                List<String> results = new ArrayList<>();
                try (Statement s = c.createStatement();
                     ResultSet r = s.executeQuery("SELECT * FROM " + table + " LIMIT 0")) {
                    ResultSetMetaData md = r.getMetaData();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        results.add(md.getColumnName(i) + " " + JDBCType.valueOf(md.getColumnType(i)).getName()
                                + " " + md.getColumnTypeName(i));
                    }
                }
                assertThat(reported).as(table).isNotEmpty().containsExactlyElementsOf(results);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ProxyConfig.Serialization.class)
    void getTypeInfoListsEveryTypeAResultCanHave(ProxyConfig.Serialization serialization) throws Exception {
        try (Connection c = server(serialization).acme()) {
            Set<String> listed = new HashSet<>();
            try (ResultSet r = c.getMetaData().getTypeInfo()) {
                while (r.next()) {
                    listed.add(JDBCType.valueOf(r.getInt("DATA_TYPE")).getName() + " " + r.getString("TYPE_NAME"));
                }
            }
            Set<String> results = new HashSet<>();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT * FROM type_zoo LIMIT 0")) {
                ResultSetMetaData md = r.getMetaData();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    String name = md.getColumnTypeName(i);
                    // one row per family: every DECIMAL(p,s) is DECIMAL, every list an INTEGER[]-like ARRAY
                    results.add(JDBCType.valueOf(md.getColumnType(i)).getName() + " " + (name.endsWith("]")
                            ? "INTEGER[]" : name.replaceFirst("\\(.*", "")));
                }
            }
            assertThat(listed).containsAll(results);
        }
    }

    @SlowTest
    @Test
    void jpypeAndPandasGetEveryTypeZooValueAsTheReadmeSays() throws Exception {
        assumeTrue(ClientProcess.pythonHas("jpype.dbapi2", "pandas"), "python3-jpype / python3-pandas not installed");
        ClientProcess.Result result = ClientProcess.run(List.of(ClientProcess.PYTHON.toString(),
                "src/test/python/jpype_type_matrix.py", ClientProcess.CLIENT_JAR.toAbsolutePath().toString(),
                Integer.toString(PROTOBUF.get().server.port()),
                Integer.toString(JSON.get().server.port()),
                Path.of("../README.md").toAbsolutePath().toString()), Map.of(), Duration.ofSeconds(240));
        assertThat(result.finished()).as("python finished in time").isTrue();
        assertThat(result.output()).contains("jpype-types: " + 2 * (TypeZoo.COLUMNS.size() + 1) + " passed, 0 failed");
        assertThat(result.exitCode()).isZero();
    }
}
