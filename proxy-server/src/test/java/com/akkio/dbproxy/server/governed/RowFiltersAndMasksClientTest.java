package com.akkio.dbproxy.server.governed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SlowTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24 with psql, psycopg2 and pandas (Debian's postgresql-client, python3-psycopg2, python3-pandas): the demo
 * tenant acme_partner sees acme's contacts filtered and masked whatever client it uses.
 */
@LiveServerTest
@SlowTest
class RowFiltersAndMasksClientTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SCRIPT = Path.of("src/test/python/row_filters_masks_check.py");

    private static boolean clientsReady() throws Exception {
        if (!Files.isExecutable(PYTHON) || !Files.isExecutable(Path.of("/usr/bin/psql"))) {
            return false;
        }
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import psycopg2, pandas").start();
        return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private static String run(List<String> command, String password) throws Exception {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
        if (password != null) {
            b.environment().put("PGPASSWORD", password);
        }
        Process p = b.start();
        boolean finished = p.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(finished).as("finished in time: " + output).isTrue();
        return output;
    }

    @Test
    void psqlPsycopg2AndPandasSeeOnlyFilteredRowsAndMaskedValues(@TempDir Path dir) throws Exception {
        boolean ready = clientsReady();
        if (System.getenv("CI") != null) {
            assertThat(ready).as("CI must have postgresql-client, python3-psycopg2 and python3-pandas").isTrue();
        }
        assumeTrue(ready, "postgresql-client / python3-psycopg2 / python3-pandas not installed");
        try (DemoProxy proxy = DemoProxy.builder().unthrottled().start(dir)) {
            List<String> psql = List.of("psql", "-h", "127.0.0.1", "-p", Integer.toString(proxy.pgPort()), "-U",
                    "acme_partner", "-d", "main", "-At", "-c",
                    "SELECT count(*), count(DISTINCT region), min(phone), sum(CASE WHEN email LIKE '%@acme.example'"
                            + " THEN 1 ELSE 0 END) FROM contacts");
            String out = run(psql, "partner-secret").strip();
            assertThat(out).matches("50\\|2\\|\\*{7}[0-9]{4}\\|0");
            String python = run(List.of(PYTHON.toString(), SCRIPT.toString(), Integer.toString(proxy.pgPort())),
                    null);
            System.out.println(python);
            assertThat(python).contains("row-filters-masks: 6 passed, 0 failed");
        }
    }
}
