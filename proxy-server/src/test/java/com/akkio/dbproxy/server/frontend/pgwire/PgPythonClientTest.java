package com.akkio.dbproxy.server.frontend.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SlowTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * psql, psycopg2, pandas.read_sql and SQLAlchemy against the PostgreSQL front end (Debian's postgresql-client,
 * python3-psycopg2, python3-pandas, python3-sqlalchemy, installed by {@code .ci/run}). In CI (CI set) missing packages
 * fail the test; elsewhere they skip it.
 */
@LiveServerTest
@SlowTest
class PgPythonClientTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SCRIPT = Path.of("src/test/python/pg_client_check.py");

    /** Whether psql and Debian's python3 with psycopg2, pandas and SQLAlchemy are there. */
    static boolean clientsReady() throws Exception {
        if (!Files.isExecutable(PYTHON) || !Files.isExecutable(Path.of("/usr/bin/psql"))) {
            return false;
        }
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import psycopg2, pandas, sqlalchemy")
                .redirectErrorStream(true).start();
        return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @Test
    void psqlPsycopg2PandasAndSqlalchemyThroughThePgFrontEnd(@TempDir Path dir) throws Exception {
        boolean ready = clientsReady();
        if (System.getenv("CI") != null) {
            assertThat(ready).as("CI must have postgresql-client, python3-psycopg2, python3-pandas and"
                    + " python3-sqlalchemy (installed by .ci/run)").isTrue();
        }
        assumeTrue(ready, "postgresql-client / python3-psycopg2 / python3-pandas / python3-sqlalchemy not installed");
        try (DemoProxy proxy = PgDemo.builder(200_000).start(dir)) {
            Process p = new ProcessBuilder(PYTHON.toString(), SCRIPT.toString(), Integer.toString(proxy.pgPort()))
                    .redirectErrorStream(true).start();
            boolean finished = p.waitFor(240, TimeUnit.SECONDS);
            if (!finished) {
                p.destroyForcibly();
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            System.out.println(output);
            assertThat(finished).as("python finished in time").isTrue();
            assertThat(output).contains("pg-client: 13 passed, 0 failed");
            assertThat(p.exitValue()).isZero();
        }
    }
}
