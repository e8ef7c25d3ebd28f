package com.akkio.dbproxy.server.backend.databricks;

import java.util.List;

import com.akkio.dbproxy.server.backend.BackendErrors;
import com.akkio.dbproxy.server.errors.ErrorCode;

/**
 * What databricks-jdbc and the Databricks SDK say in their messages rather than their exception types: an OAuth
 * token that cannot be had ("oauth-m2m auth:", or "azure-client-secret auth:" for an Entra ID secret), the SDK's configuration dump appended to messages (" Config: …",
 * with the workspace host and client id, which tenants must not see), the statement the driver ran, appended to a
 * failure ("Statement execution failed ID -> SQL": the rewrite, with physical names) or to a request the workspace
 * refused ("Error occurred during statement execution: SQL. Error : …", an expired session say), and the warehouse's own
 * reason for a failed statement on a line after the first ("FAILED. Error Message: …").
 */
public final class DatabricksErrors extends BackendErrors {
    public static final DatabricksErrors TABLE = new DatabricksErrors();
    private static final int MAX_REASON = 300;

    private DatabricksErrors() {
        super(List.of(new Rule(t -> String.valueOf(t.getMessage()).contains("oauth-m2m auth:")
                                || String.valueOf(t.getMessage()).contains("azure-client-secret auth:"),
                        ErrorCode.BACKEND_CREDENTIALS_UNAVAILABLE, "cannot obtain an access token"),
                        // a warehouse aborts a statement whose INLINE result is over 25 MiB (26214400 bytes); the
                        // driver asks for INLINE only with cloud fetch off (EnableQueryResultDownload=0)
                        new Rule(t -> String.valueOf(t.getMessage()).contains(INLINE_LIMIT),
                                ErrorCode.INLINE_RESULT_TOO_LARGE, "refused a result over the warehouse's 25 MiB"
                                + " limit for inline results (cloud fetch is off: driver_options"
                                + " EnableQueryResultDownload: 0); select fewer rows or columns, or turn cloud fetch"
                                + " on")),
                DatabricksErrors::withoutConfigOrStatement);
    }

    /** The start of a warehouse's error for an INLINE result over its limit (Statement Execution API). */
    static final String INLINE_LIMIT = "Inline byte limit exceeded";

    /** databricks-jdbc's prefix for a request the workspace refused outright, followed by the statement's text. */
    private static final String REFUSED = "Error occurred during statement execution: ";

    private static String withoutConfigOrStatement(String message) {
        int config = message.indexOf(" Config: ");
        String m = config < 0 ? message : message.substring(0, config);
        if (m.startsWith(REFUSED) && m.contains(". Error : ")) {
            // "…: <the rewrite>. Error : <the workspace's reason>": the rewrite names physical objects
            return "the workspace refused the statement: " + m.substring(m.indexOf(". Error : ") + 10);
        }
        int statement = m.indexOf(" -> ");
        return statement < 0 ? m : m.substring(0, statement);
    }

    /**
     * databricks-jdbc reports a statement the warehouse failed as "Statement execution failed ID -> SQL" and puts the
     * warehouse's own reason on the next line, which the first line alone would drop.
     */
    @Override
    protected String reason(String message) {
        if (message == null) {
            return "";
        }
        return message.lines().skip(1).filter(l -> l.contains("Error Message:")).findFirst()
                .map(l -> l.substring(l.indexOf("Error Message:")).strip())
                .map(l -> " (" + (l.length() > MAX_REASON ? l.substring(0, MAX_REASON) + "…" : l) + ")").orElse("");
    }
}
