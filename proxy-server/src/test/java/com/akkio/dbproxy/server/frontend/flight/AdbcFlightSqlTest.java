package com.akkio.dbproxy.server.frontend.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import org.apache.arrow.adbc.core.AdbcConnection;
import org.apache.arrow.adbc.core.AdbcDatabase;
import org.apache.arrow.adbc.core.AdbcDriver;
import org.apache.arrow.adbc.core.AdbcException;
import org.apache.arrow.adbc.core.AdbcStatement;
import org.apache.arrow.adbc.driver.flightsql.FlightSqlDriver;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ADBC Java's Flight SQL driver ({@code org.apache.arrow.adbc:adbc-driver-flight-sql}) against the front end. */
@LiveServerTest
class AdbcFlightSqlTest {
    @RegisterExtension
    static final DemoProxyExtension PROXY = DemoProxyExtension.of(DemoProxy.builder().unthrottled());

    private static AdbcDatabase open(BufferAllocator allocator, String tenant, String secret) throws AdbcException {
        Map<String, Object> params = new HashMap<>();
        AdbcDriver.PARAM_URI.set(params, "grpc+tcp://127.0.0.1:" + PROXY.get().flightPort());
        AdbcDriver.PARAM_USERNAME.set(params, tenant);
        AdbcDriver.PARAM_PASSWORD.set(params, secret);
        return new FlightSqlDriver(allocator).open(params);
    }

    private static long rows(AdbcConnection c, String sql) throws Exception {
        try (AdbcStatement s = c.createStatement()) {
            s.setSqlQuery(sql);
            try (AdbcStatement.QueryResult r = s.executeQuery(); ArrowReader reader = r.getReader()) {
                long n = 0;
                while (reader.loadNextBatch()) {
                    n += reader.getVectorSchemaRoot().getRowCount();
                }
                return n;
            }
        }
    }

    @Test
    void adbcQueriesTheTenantsDataAndIsRefusedAnotherTenantsWithTheRule() throws Exception {
        try (BufferAllocator allocator = new RootAllocator();
             AdbcDatabase db = open(allocator, "acme", "acme-secret");
             AdbcConnection c = db.connect()) {
            assertThat(rows(c, "SELECT * FROM orders WHERE order_id <= 42")).isEqualTo(42);
            assertThatThrownBy(() -> rows(c, "SELECT * FROM globex_prod.sales.orders"))
                    .isInstanceOf(AdbcException.class).hasMessageContaining("OBJECT_NOT_READABLE")
                    .hasMessageContaining("rule:");
        }
    }

    @Test
    void adbcWithAWrongSecretIsRefused() throws Exception {
        try (BufferAllocator allocator = new RootAllocator()) {
            assertThatThrownBy(() -> {
                try (AdbcDatabase db = open(allocator, "acme", "wrong"); AdbcConnection c = db.connect()) {
                    rows(c, "SELECT 1");
                }
            }).isInstanceOf(AdbcException.class).hasMessageContaining("AUTHENTICATION_FAILED");
        }
    }
}
