package com.akkio.dbproxy.server.frontend.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.DemoConfig;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SlowTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The governed catalog and write-back with the clients people use (psql's describe commands, SQLAlchemy's
 * inspector, pandas' to_sql with every method, psycopg2's COPY FROM STDIN), against the demo with the tenants' own
 * rate limits (never lifted: bulk writes must fit in them), once with acme not allowed to DROP (so to_sql's replace
 * fails with the policy's error) and once with the demo's policies (acme may drop its own outputs: replace works).
 */
@LiveServerTest
@SlowTest
class PgCatalogClientTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SCRIPT = Path.of("src/test/python/pg_catalog_check.py");
    /** Rows each bulk method writes: enough for many statements of each method, small for a shared CI machine. */
    private static final int ROWS = 5000;

    @Test
    void psqlSqlalchemyAndPandasWorkThroughTheGovernedCatalogWhereDropIsDenied(@TempDir Path dir) throws Exception {
        run(DemoProxy.builder().config(d -> {
            Path config = DemoConfig.copy(d.resolve("conf"));
            Path acme = config.resolveSibling("policies/acme.yaml");
            String policy = Files.readString(acme);
            assertThat(policy).contains(", drop]");
            Files.writeString(acme, policy.replace(", drop]", "]"));
            return config;
        }), dir, "demo");
    }

    @Test
    void pandasReplaceWorksWhereThePolicyAllowsDrop(@TempDir Path dir) throws Exception {
        run(DemoProxy.builder(), dir, "drop");
    }

    private static void run(DemoProxy.Builder builder, Path dir, String mode) throws Exception {
        boolean ready = PgPythonClientTest.clientsReady();
        if (System.getenv("CI") != null) {
            assertThat(ready).as("CI must have postgresql-client, python3-psycopg2, python3-pandas and"
                    + " python3-sqlalchemy (installed by .ci/run)").isTrue();
        }
        assumeTrue(ready, "postgresql-client / python3-psycopg2 / python3-pandas / python3-sqlalchemy not installed");
        try (DemoProxy proxy = builder.start(dir)) {
            Process p = new ProcessBuilder(PYTHON.toString(), SCRIPT.toString(), Integer.toString(proxy.pgPort()),
                    proxy.auditLog.toString(), mode, Integer.toString(ROWS)).redirectErrorStream(true).start();
            boolean finished = p.waitFor(300, TimeUnit.SECONDS);
            if (!finished) {
                p.destroyForcibly();
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            System.out.println(output);
            assertThat(finished).as("python finished in time").isTrue();
            assertThat(output).contains("pg-catalog: 10 passed, 0 failed");
            assertThat(p.exitValue()).isZero();
        }
    }
}
