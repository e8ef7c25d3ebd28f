package com.akkio.dbproxy.server.frontend.avatica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import org.apache.calcite.avatica.AvaticaClientRuntimeException;
import org.apache.calcite.avatica.ConnectionConfigImpl;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.QueryState;
import org.apache.calcite.avatica.remote.AvaticaHttpClient;
import org.apache.calcite.avatica.remote.AvaticaHttpClientFactoryImpl;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;
import org.apache.calcite.avatica.remote.RemoteProtobufService;
import org.apache.calcite.avatica.remote.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Raw Avatica requests, not the driver: connection ids are chosen by clients and statement ids are a global
 * counter, so a tenant can name another tenant's handles; the proxy must refuse every such request.
 */
@LiveServerTest
class RawProtocolTest {
    @RegisterExtension
    static final DemoProxyExtension proxy = DemoProxyExtension.of(DemoProxy.builder().unthrottled());

    private static Service as(String tenant, String secret) throws Exception {
        return as(proxy.get(), tenant, secret);
    }

    /** A raw protobuf Avatica service speaking to {@code proxy} as the tenant. */
    static Service as(DemoProxy proxy, String tenant, String secret) throws Exception {
        String url = "http://127.0.0.1:" + proxy.server.port();
        Properties p = new Properties();
        p.setProperty("url", url);
        p.setProperty("serialization", "protobuf");
        p.setProperty("authentication", "BASIC");
        p.setProperty("avatica_user", tenant);
        p.setProperty("avatica_password", secret);
        AvaticaHttpClient client = AvaticaHttpClientFactoryImpl.getInstance()
                .getClient(new URL(url), new ConnectionConfigImpl(p), null);
        return new RemoteProtobufService(client, new ProtobufTranslationImpl());
    }

    static void assertRefused(Runnable request, String sqlState) {
        assertThatThrownBy(request::run).isInstanceOfSatisfying(AvaticaClientRuntimeException.class,
                e -> assertThat(e.getSqlState()).isEqualTo(sqlState));
    }

    @Test
    void anotherTenantsConnectionAndStatementIdsAreRefused() throws Exception {
        Service acme = as("acme", "acme-secret");
        Service globex = as("globex", "globex-secret");
        String acmeConnection = UUID.randomUUID().toString();
        acme.apply(new Service.OpenConnectionRequest(acmeConnection, Map.of()));
        int acmeStatement = acme.apply(new Service.CreateStatementRequest(acmeConnection)).statementId;
        Service.ExecuteResponse own = acme.apply(new Service.PrepareAndExecuteRequest(acmeConnection, acmeStatement,
                "SELECT order_id, tenant_tag FROM orders", -1, 10));
        assertThat(own.results.get(0).firstFrame.done).isFalse();

        // globex names acme's connection: every call is refused as if the connection did not exist
        assertRefused(() -> globex.apply(new Service.CreateStatementRequest(acmeConnection)), "08003");
        assertRefused(() -> globex.apply(new Service.PrepareAndExecuteRequest(acmeConnection, acmeStatement,
                "SELECT * FROM orders", -1)), "08003");
        assertRefused(() -> globex.apply(new Service.FetchRequest(acmeConnection, acmeStatement, 10, 100)), "08003");
        assertRefused(() -> globex.apply(new Service.TablesRequest(acmeConnection, null, null, "%", null)), "08003");
        assertRefused(() -> globex.apply(new Service.CloseStatementRequest(acmeConnection, acmeStatement)), "08003");
        assertRefused(() -> globex.apply(new Service.CloseConnectionRequest(acmeConnection)), "08003");
        assertRefused(() -> globex.apply(new Service.OpenConnectionRequest(acmeConnection, Map.of())), "08003");

        // globex on its own connection names acme's statement id
        String globexConnection = UUID.randomUUID().toString();
        globex.apply(new Service.OpenConnectionRequest(globexConnection, Map.of()));
        assertRefused(() -> globex.apply(new Service.FetchRequest(globexConnection, acmeStatement, 10, 100)), "08003");
        assertRefused(() -> globex.apply(new Service.PrepareAndExecuteRequest(globexConnection, acmeStatement,
                "SELECT 1", -1)), "08003");

        // a connection nobody opened
        assertRefused(() -> globex.apply(new Service.CreateStatementRequest(UUID.randomUUID().toString())), "08003");

        // acme's own handles still work after all that
        Service.FetchResponse rest = acme.apply(new Service.FetchRequest(acmeConnection, acmeStatement, 10, 5000));
        int n = 0;
        for (Object row : rest.frame.rows) {
            assertThat(((List<?>) row).get(1)).isEqualTo("acme");
            n++;
        }
        assertThat(n).isEqualTo(990);
        acme.apply(new Service.CloseConnectionRequest(acmeConnection));
        globex.apply(new Service.CloseConnectionRequest(globexConnection));
    }

    /**
     * A prepared query holds one of its connection's kept plans, filed under its text: other text sent on its handle
     * must neither run nor re-plan that statement, or the text run next under the same key would run the other one.
     */
    @Test
    void aPreparedStatementsKeptPlanRunsOnlyItsOwnText() throws Exception {
        Service acme = as("acme", "acme-secret");
        String connection = UUID.randomUUID().toString();
        acme.apply(new Service.OpenConnectionRequest(connection, Map.of()));
        String count = "SELECT count(*) FROM orders";
        for (int round = 0; round < 2; round++) { // the second round on the plan the first gave back
            Meta.StatementHandle prepared = acme.apply(new Service.PrepareRequest(connection, count, -1)).statement;
            assertThatThrownBy(() -> acme.apply(new Service.PrepareAndExecuteRequest(connection, prepared.id,
                    "SELECT DISTINCT tenant_tag FROM orders", -1, 100)))
                    .isInstanceOfSatisfying(AvaticaClientRuntimeException.class, e -> assertThat(e.getMessage())
                            .contains("runs the text it was prepared with"));
            Service.ExecuteResponse executed = acme.apply(new Service.ExecuteRequest(prepared, List.of(), 100));
            assertThat(executed.results.get(0).firstFrame.rows).containsExactly(List.of(1000L));
            acme.apply(new Service.CloseStatementRequest(connection, prepared.id));
            int statement = acme.apply(new Service.CreateStatementRequest(connection)).statementId;
            Service.ExecuteResponse again = acme.apply(new Service.PrepareAndExecuteRequest(connection, statement,
                    count, -1, 100));
            assertThat(again.results.get(0).firstFrame.rows).containsExactly(List.of(1000L));
            acme.apply(new Service.CloseStatementRequest(connection, statement));
        }
        acme.apply(new Service.CloseConnectionRequest(connection));
    }

    @Test
    void syncResultsCannotReplayClientHeldSql() throws Exception {
        Service acme = as("acme", "acme-secret");
        String connection = UUID.randomUUID().toString();
        acme.apply(new Service.OpenConnectionRequest(connection, Map.of()));
        int statement = acme.apply(new Service.CreateStatementRequest(connection)).statementId;
        assertRefused(() -> acme.apply(new Service.SyncResultsRequest(connection, statement,
                new QueryState("SELECT * FROM globex_prod.sales.orders"), 0)), "0A000");
        acme.apply(new Service.CloseConnectionRequest(connection));
    }

    @Test
    void clientPropertiesNeverReachTheBackend() throws Exception {
        Service acme = as("acme", "acme-secret");
        String connection = UUID.randomUUID().toString();
        acme.apply(new Service.OpenConnectionRequest(connection, Map.of("user", "globex", "schema", "globex_prod",
                "catalog", "globex_prod", "access_mode", "READ_WRITE")));
        int statement = acme.apply(new Service.CreateStatementRequest(connection)).statementId;
        Service.ExecuteResponse r = acme.apply(new Service.PrepareAndExecuteRequest(connection, statement,
                "SELECT DISTINCT tenant_tag FROM orders", -1, 100));
        assertThat(r.results.get(0).firstFrame.rows).containsExactly(List.of("acme"));
        acme.apply(new Service.CloseConnectionRequest(connection));
    }
}
