package com.akkio.dbproxy.server.backend.databricks;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;

import com.akkio.dbproxy.server.backend.BackendErrors;
import com.akkio.dbproxy.server.errors.ErrorCode;
import org.junit.jupiter.api.Test;

/** What the Databricks driver's messages say, read by the table beside its backend; the standard table below it. */
class DatabricksErrorsTest {

    @Test
    void aTokenThatCannotBeHadIsTheBackendBeingUnavailableWithoutTheSdksConfiguration() {
        SQLException e = new SQLException("Communication link failure", "08S01",
                new RuntimeException("oauth-m2m auth: invalid_client. Config: host=https://ws.example, client_id=x"));
        BackendErrors.Translated t = DatabricksErrors.TABLE.translate(e, "dbx");
        assertThat(t.code()).isEqualTo(ErrorCode.BACKEND_CREDENTIALS_UNAVAILABLE);
        assertThat(t.sqlState()).isEqualTo("08006");
        assertThat(t.vendorCode()).isEqualTo(2205);
        assertThat(t.detail()).startsWith("backend 'dbx' cannot obtain an access token: ")
                .doesNotContain("client_id").doesNotContain("ws.example");
    }

    @Test
    void anEntraIdTokenThatCannotBeHadIsTheBackendBeingUnavailableToo() {
        SQLException e = new SQLException("Communication link failure", "08S01", new RuntimeException(
                "azure-client-secret auth: AADSTS7000215: Invalid client secret provided. Config: host=https://adb-1"
                        + ".azuredatabricks.net, azure_client_id=x, azure_tenant_id=t"));
        BackendErrors.Translated t = DatabricksErrors.TABLE.translate(e, "dbx");
        assertThat(t.code()).isEqualTo(ErrorCode.BACKEND_CREDENTIALS_UNAVAILABLE);
        assertThat(t.detail()).startsWith("backend 'dbx' cannot obtain an access token: ")
                .doesNotContain("azure_client_id").doesNotContain("azuredatabricks.net");
    }

    /**
     * The chain the pool hands over when the driver could not open a connection because Entra ID refused the secret
     * (as the real driver and SDK throw it against the emulator, DatabricksEntraIdTest): the refusal, not "cannot be
     * reached", and neither the SDK's configuration nor the workspace host.
     */
    @Test
    void aSecretRefusedBehindThePoolsTimeoutIsACredentialsFailureNotAnUnreachableBackend() {
        SQLException e = new java.sql.SQLTransientConnectionException("dbx-acme - Connection is not available,"
                + " request timed out after 5000ms.", "08001", new SQLException("Connection failure while using the"
                + " OSS Databricks JDBC driver. Failed to connect to server: https://adb-1.7.azuredatabricks.net:443",
                "08000", new RuntimeException("azure-client-secret auth: Failed to refresh credentials:"
                + " invalid_client. Config: host=https://adb-1.7.azuredatabricks.net, azure_client_id=x")));
        BackendErrors.Translated t = DatabricksErrors.TABLE.translate(e, "dbx");
        assertThat(t.code()).isEqualTo(ErrorCode.BACKEND_CREDENTIALS_UNAVAILABLE);
        assertThat(t.sqlState()).isEqualTo("08006");
        assertThat(t.detail()).isEqualTo("backend 'dbx' cannot obtain an access token: azure-client-secret auth:"
                + " Failed to refresh credentials: invalid_client.");
    }

    @Test
    void theWarehousesReasonOnALaterLineReachesTheClient() {
        SQLException e = new SQLException("Statement execution failed 01ef -> SELECT * FROM `acme_prod`.`x`\n"
                + "FAILED. Error Message: [TABLE_OR_VIEW_NOT_FOUND] The table cannot be found, Error code: 42P01",
                "42P01");
        BackendErrors.Translated t = DatabricksErrors.TABLE.translate(e, "dbx");
        assertThat(t.code()).isEqualTo(ErrorCode.BACKEND_ERROR);
        assertThat(t.sqlState()).isEqualTo("42P01");
        assertThat(t.detail()).endsWith("(Error Message: [TABLE_OR_VIEW_NOT_FOUND] The table cannot be found,"
                + " Error code: 42P01)");
    }

    @Test
    void theStatementTheDriverAppendsToAFailureIsCutSoItsRewriteNeverReachesATenant() {
        SQLException e = new SQLException("Statement execution failed 01ef -> SELECT * FROM `acme_prod`.`x`\n"
                + "FAILED. Error Message: boom, Error code: 42P01", "42P01");
        assertThat(DatabricksErrors.TABLE.translate(e, "dbx").detail())
                .isEqualTo("Statement execution failed 01ef (Error Message: boom, Error code: 42P01)");
    }

    @Test
    void aStatementTheWorkspaceRefusedOutrightIsNamedWithoutItsRewrite() {
        SQLException e = new SQLException("Error occurred during statement execution: SELECT * FROM `acme_prod`.`x`"
                + " LIMIT 100. Error : java.lang.RuntimeException: Invalid SessionHandle: SessionHandle [01ef]", "HY000");
        assertThat(DatabricksErrors.TABLE.translate(e, "dbx").detail()).isEqualTo("the workspace refused the"
                + " statement: java.lang.RuntimeException: Invalid SessionHandle: SessionHandle [01ef]")
                .doesNotContain("acme_prod");
    }

    @Test
    void theStandardTableKnowsNothingOfDatabricksMessages() {
        SQLException e = new SQLException("oauth-m2m auth: x", "XX000");
        assertThat(BackendErrors.STANDARD.translate(e, "demo").code()).isEqualTo(ErrorCode.BACKEND_ERROR);
    }

    @Test
    void aNonStandardSqlStateBecomesHy000AndAMissingVendorCodeTheRegistrys() {
        BackendErrors.Translated t = BackendErrors.STANDARD.translate(new SQLException("boom", "bad"), "demo");
        assertThat(t.sqlState()).isEqualTo("HY000");
        assertThat(t.vendorCode()).isZero(); // ProxyError.fromBackend gives 2202 for a driver's 0
    }

    @Test
    void aCyclicCauseChainIsWalkedABoundedNumberOfSteps() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        BackendErrors.Translated t = DatabricksErrors.TABLE.translate(a, "dbx");
        assertThat(t.code()).isEqualTo(ErrorCode.BACKEND_FAILURE);
        assertThat(t.detail()).isEqualTo("backend 'dbx' failed: a");
    }

    @Test
    void aNetworkFailureIsTheBackendBeingUnreachable() {
        SQLException e = new SQLException("connect failed", "08001", new java.net.UnknownHostException("ws.example"));
        BackendErrors.Translated t = DatabricksErrors.TABLE.translate(e, "dbx");
        assertThat(t.code()).isEqualTo(ErrorCode.BACKEND_UNREACHABLE);
        assertThat(t.detail()).isEqualTo("backend 'dbx' cannot be reached: ws.example");
    }
}
