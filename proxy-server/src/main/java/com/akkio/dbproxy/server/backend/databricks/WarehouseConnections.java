package com.akkio.dbproxy.server.backend.databricks;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

import com.akkio.dbproxy.server.backend.Backend;
import com.akkio.dbproxy.server.backend.SuppliedDataSource;
import com.akkio.dbproxy.server.backend.WarehouseStart;
import com.akkio.dbproxy.server.config.ProxyConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens driver connections (each a warehouse session) on a backend's warehouses in failover order, deciding who may
 * start a stopped warehouse. A session on a stopped warehouse starts it (Databricks' auto-start) and is refused with
 * 503 and Retry-After while it starts; databricks-jdbc retries that only a few times (its SDK's four attempts, some
 * 3 s), far less than a start takes. Without {@code start_on_demand} the warehouse's state is asked first (one
 * Warehouses API request per new connection) and a stopped warehouse is skipped, never started; with it, the session
 * starts it, and when the session is refused while the warehouse is STARTING the opening waits, polling the state,
 * until it runs or {@code warehouse_start_timeout_seconds} pass.
 * A warehouse being started is waited for rather than failed over from, so a cold start never starts the backup too.
 */
final class WarehouseConnections implements SuppliedDataSource.Opener {
    private static final Logger LOG = LoggerFactory.getLogger(WarehouseConnections.class);
    private static final long POLL_MILLIS = 1_000;

    private final String backend;
    private final ProxyConfig.Databricks config;
    private final Warehouses warehouses;
    private final Map<Connection, String> warehouseOf;
    private final String url;
    private final String catalog;
    private final String schema;
    private final java.util.concurrent.atomic.AtomicInteger starting;
    private final String tenant;
    private final java.util.function.Consumer<WarehouseStart> starts;

    /**
     * @param warehouseOf where each opened connection's warehouse is recorded, for the audit log
     * @param tenant      the tenant whose pool opens the connections, or null for none
     * @param catalog     the sessions' catalog (with {@code schema}), or null for the driver's {@code default}
     * @param starting    how many openings (of all the backend's pools) are waiting for a start now
     * @param starts      where each wait for a starting warehouse is reported when it ends (the audit log)
     */
    WarehouseConnections(String backend, ProxyConfig.Databricks config, Warehouses warehouses,
                         Map<Connection, String> warehouseOf, String tenant, String catalog, String schema,
                         java.util.concurrent.atomic.AtomicInteger starting,
                         java.util.function.Consumer<WarehouseStart> starts) {
        this.tenant = tenant;
        this.starts = starts;
        this.starting = starting;
        this.catalog = catalog;
        this.schema = schema;
        this.backend = backend;
        this.config = config;
        this.warehouses = warehouses;
        this.warehouseOf = warehouseOf;
        this.url = "jdbc:databricks://" + config.host() + ":" + config.port() + "/default";
    }

    @Override
    public Connection open() throws SQLException {
        SQLException last = null;
        for (String warehouse : config.warehouseIds()) {
            String state = config.startOnDemand() ? null : warehouses.state(warehouse);
            if ("STOPPED".equals(state) || "STOPPING".equals(state)) {
                last = new Backend.WarehouseNotStarted("the warehouse of backend '" + backend + "' is " + state
                        + " and start_on_demand is false, so no query starts it", null);
                continue;
            }
            try {
                return connect(warehouse);
            } catch (SQLException e) {
                last = e;
            }
            if (config.startOnDemand() && unavailable(last) && "STARTING".equals(warehouses.state(warehouse))) {
                return connectOnceStarted(warehouse, last);
            }
            // this warehouse did not accept the connection: fail over to the next
        }
        throw last;
    }

    /**
     * True when the session was refused as temporarily unavailable (HTTP 503: the bundled SDK's
     * {@code TemporarilyUnavailable} under the driver's "Connection failure"), as a starting warehouse refuses it;
     * only then is the warehouse's state worth asking.
     */
    private static boolean unavailable(SQLException e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t.getClass().getSimpleName().equals("TemporarilyUnavailable")) {
                return true;
            }
        }
        return false;
    }

    private Connection connect(String warehouse) throws SQLException {
        Connection c = DriverManager.getConnection(url, DatabricksBackends.properties(config, warehouse,
                catalog, schema));
        warehouseOf.put(c, warehouse);
        return c;
    }

    /**
     * Waits for a warehouse the session just started, up to the bound, and connects once it runs; the wait is
     * reported however it ends (an audit record: starting a warehouse is a cost someone chose).
     */
    private Connection connectOnceStarted(String warehouse, SQLException refused) throws SQLException {
        LOG.warn("backend '{}': warehouse {} is starting for a query of tenant {} (start_on_demand); waiting up to {}"
                + " s", backend, warehouse, tenant, config.warehouseStartTimeout().toSeconds());
        starting.incrementAndGet();
        long began = System.nanoTime();
        WarehouseStart.Outcome outcome = WarehouseStart.Outcome.FAILED;
        try {
            Connection c = awaitStart(warehouse, refused);
            outcome = WarehouseStart.Outcome.STARTED;
            return c;
        } catch (Backend.WarehouseNotStarted e) {
            outcome = WarehouseStart.Outcome.NOT_STARTED;
            throw e;
        } finally {
            starting.decrementAndGet();
            starts.accept(new WarehouseStart(backend, warehouse, tenant, outcome,
                    java.time.Duration.ofNanos(System.nanoTime() - began)));
        }
    }

    private Connection awaitStart(String warehouse, SQLException refused) throws SQLException {
        long deadline = System.nanoTime() + config.warehouseStartTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for a warehouse to start", "08006", e);
            }
            String state = warehouses.state(warehouse);
            if ("RUNNING".equals(state)) {
                return connect(warehouse);
            }
            if (!"STARTING".equals(state)) {
                throw refused; // it stopped again, or cannot be asked: the refusal stands
            }
        }
        throw new Backend.WarehouseNotStarted(Backend.notStarted(backend, config.warehouseStartTimeout()), refused);
    }
}
