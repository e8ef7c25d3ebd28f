package com.akkio.dbproxy.server.frontend.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.akkio.dbproxy.server.ClientProcess;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.ReadmeTables;
import com.akkio.dbproxy.server.SlowTest;
import com.akkio.dbproxy.server.TypeZoo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every value of the demo's {@code type_zoo} (one column of every DuckDB type) through the PostgreSQL front end, as
 * pgjdbc returns it in text and in binary transfer, and as psycopg2, pandas and psql do: compared with DuckDB's own
 * text of the value ({@link TypeZoo}), to the microsecond, and with README's table "DuckDB over the PostgreSQL wire",
 * whose rows are the expectations.
 */
@LiveServerTest
class PgTypeMatrixTest {
    static final String TABLE = "### DuckDB over the PostgreSQL wire";

    @RegisterExtension
    static final DemoProxyExtension PROXY = DemoProxyExtension.of(DemoProxy.builder().unthrottled());
    static Map<String, Map<String, String>> readme;

    @BeforeAll
    static void readTheReadme() throws Exception {
        readme = ReadmeTables.byFirstColumn(TABLE);
    }

    /**
     * @param options pgjdbc's text transfer (its default for a statement's first executions), or binary for every
     *                type pgjdbc reads in binary (all statements prepared on the server, numeric included)
     */
    @ParameterizedTest
    @ValueSource(strings = {"", "prepareThreshold=-1&binaryTransferEnable=NUMERIC"})
    void everyValueOfEveryTypeArrivesAsTheBackendHasItAndAsTheReadmeSays(String options) throws Exception {
        List<String> failures = new ArrayList<>();
        try (Connection c = PgDemo.connect(PROXY.get(), "acme", "acme-secret", options)) {
            for (TypeZoo.Column column : TypeZoo.COLUMNS) {
                TypeZoo.Oracle oracle = TypeZoo.oracle(c, column);
                try (PreparedStatement p = c.prepareStatement("SELECT id, " + column.name()
                        + " FROM type_zoo ORDER BY id"); ResultSet r = p.executeQuery()) {
                    failures.addAll(compare(column, r, oracle));
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    private static List<String> compare(TypeZoo.Column column, ResultSet r, TypeZoo.Oracle oracle)
            throws SQLException {
        List<String> failures = new ArrayList<>();
        Map<String, String> row = readme.get(column.name());
        String where = column.name() + ": ";
        String pgType = r.getMetaData().getColumnTypeName(2);
        if (!(pgType.startsWith("_") ? pgType.substring(1) + "[]" : pgType).equals(row.get("PostgreSQL type"))) {
            failures.add(where + "PostgreSQL type " + pgType);
        }
        Class<?> wanted = TypeZoo.javaClass(row.get("pgjdbc"));
        int rows = 0;
        while (r.next()) {
            rows++;
            int id = r.getInt(1);
            // java.time classes through JDBC 4.2's typed getter; everything else as getObject gives it
            Object value = wanted.getPackageName().equals("java.time") ? r.getObject(2, wanted) : r.getObject(2);
            String mismatch = TypeZoo.mismatch(column, id, value, oracle, TypeZoo.Precision.MICROS);
            if (mismatch != null) {
                failures.add(where + "row " + id + ": " + mismatch);
            }
            if (value != null && !wanted.isInstance(value)) {
                failures.add(where + "row " + id + ": a " + value.getClass().getName());
            }
        }
        if (rows != TypeZoo.ROWS) {
            failures.add(where + rows + " rows");
        }
        return failures;
    }

    @SlowTest
    @Test
    void psycopg2PandasAndPsqlGetEveryTypeZooValueAsTheReadmeSays() throws Exception {
        assumeTrue(ClientProcess.pythonHas("psycopg2", "pandas", "sqlalchemy"),
                "python3-psycopg2 / python3-pandas / python3-sqlalchemy not installed");
        assumeTrue(java.nio.file.Files.isExecutable(Path.of("/usr/bin/psql")), "postgresql-client not installed");
        ClientProcess.Result result = ClientProcess.run(List.of(ClientProcess.PYTHON.toString(),
                "src/test/python/pg_type_matrix.py", Integer.toString(PROXY.get().pgPort()),
                Path.of("../README.md").toAbsolutePath().toString()), Map.of(), Duration.ofSeconds(240));
        assertThat(result.finished()).as("python finished in time").isTrue();
        assertThat(result.output()).contains("pg-types: " + (2 * TypeZoo.COLUMNS.size() + 1) + " passed, 0 failed");
        assertThat(result.exitCode()).isZero();
    }
}
