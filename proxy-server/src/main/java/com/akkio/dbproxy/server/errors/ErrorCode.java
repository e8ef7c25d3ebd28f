package com.akkio.dbproxy.server.errors;

/**
 * Every error the proxy itself raises to a client, with the SQLState and vendor code the client sees: the one
 * registry of them, in a package of its own so that every layer (limits, the core, the front ends) can name them. Denials by the
 * policy engine have their own registry, {@link com.akkio.dbproxy.policy.DenyCode} (vendor codes 1xxx); these are
 * 2xxx (limits, cancellation, backends, audit, requests, the proxy itself) and 3xxx (sessions and protocols). Never renumber: clients,
 * dashboards and runbooks key on the numbers. README's error table is checked against this enum by a test.
 *
 * <p>The {@code label} is the code name a message starts with ({@code "RATE_LIMITED: …"}); several constants share
 * one label where clients have always seen one name for related failures (the three ways a backend can be
 * unavailable). Errors of the PostgreSQL protocol itself ({@link Style#POSTGRES}) carry PostgreSQL's own message
 * text, which drivers and ORMs match on, and no label.
 */
public enum ErrorCode {
    // 20xx: tenant limits
    RATE_LIMITED("53400", 2001, "rate.queries_per_second and rate.burst: the tenant is over its rate"),
    TOO_MANY_CONCURRENT("53400", 2002, "rate.max_concurrent: the tenant has its maximum of statements running"),
    TOO_MANY_CONNECTIONS("53400", 2003, "server.max_connections_per_tenant: the tenant has its maximum of connections"),
    LOGIN_THROTTLED("53400", 2004, "server.failed_logins: too many failed logins from the client's address; it is"
            + " refused before its credentials are checked"),
    WRITE_QUOTA_EXCEEDED("53400", 2005, "write_quota.max_rows: the tenant's write-back tables hold their quota of"
            + " rows (Databricks: its writes added their quota of rows in this window; write_quota.max_bytes: its"
            + " write-back tables hold their quota of bytes), or the quota could not be measured; the write was not"
            + " run"),
    TOO_MANY_RUNNING("53400", 2006, "rate.max_running: the tenant's statements running on the backend left no room"
            + " for this one within query_timeout_seconds; it was not run"),
    // 21xx: statements stopped
    QUERY_TIMEOUT("57014", 2102, "query_timeout_seconds: the statement ran too long and was cancelled in the backend"),
    QUERY_CANCELLED("57014", 2103, "the client cancelled the statement"),
    CLIENT_GONE("57014", 2104, "the client closed the connection or stopped reading results"),
    // 22xx: backends
    BACKEND_POOL_EXHAUSTED("BACKEND_UNAVAILABLE", "08006", 2201, Style.LABELLED,
            "the tenant's backend pool had no free connection within pool.connection_timeout_ms"),
    BACKEND_ERROR("BACKEND_ERROR", "HY000", 2202, Style.LABELLED,
            "the backend refused the statement; the SQLState (and vendor code) are the backend's own where it has"
                    + " them, HY000 and 2202 otherwise"),
    BACKEND_FAILURE("BACKEND_ERROR", "HY000", 2203, Style.LABELLED,
            "the backend failed in a way the proxy did not recognise"),
    BACKEND_UNREACHABLE("BACKEND_UNAVAILABLE", "08006", 2204, Style.LABELLED,
            "the backend could not be reached"),
    BACKEND_CREDENTIALS_UNAVAILABLE("BACKEND_UNAVAILABLE", "08006", 2205, Style.LABELLED,
            "the proxy could not obtain an access token for the backend"),
    WAREHOUSE_NOT_STARTED("57P03", 2206, "warehouse_start_timeout_seconds: the Databricks warehouse was still"
            + " starting when the wait for it ended"),
    INLINE_RESULT_TOO_LARGE("54000", 2207, "driver_options EnableQueryResultDownload: 0: the result is over the"
            + " Databricks warehouse's 25 MiB limit for inline results"),
    // 23xx: audit
    AUDIT_UNAVAILABLE("08006", 2301, "the statement was not run because its audit record could not be written"),
    // 24xx: requests
    REQUEST_TOO_LARGE("54000", 2401, "server.max_request_bytes: the request body is over the limit"),
    MESSAGE_TOO_LARGE("54000", 2402, "server.max_request_bytes: a PostgreSQL message is over the limit"),
    MALFORMED_REQUEST("08P01", 2403, "the request body is not an Avatica request in the server's serialization"),
    // 25xx: the proxy itself
    INTERNAL_ERROR("XX000", 2501, "the proxy failed in a way it did not expect (the server log has the detail)"),
    // 30xx: authentication
    AUTHENTICATION_FAILED("28000", 3001, "unknown tenant, wrong secret, or a tenant no longer configured"),
    PASSWORD_AUTHENTICATION_FAILED("AUTHENTICATION_FAILED", "28P01", 3002, Style.LABELLED,
            "PostgreSQL front end: the login failed (the client learns no more than PostgreSQL would tell it)"),
    AUTHENTICATION_TIMEOUT("08006", 3003, "PostgreSQL front end: no login within 60 s of connecting"),
    // 31xx: handles
    UNKNOWN_HANDLE("08003", 3101, "no such connection or statement for this tenant (another tenant's is unknown too)"),
    CONNECTION_ID_IN_USE("08003", 3102, "the client chose a connection id that is already open"),
    IDLE_TIMEOUT("57P05", 3103, "server.idle_connection_timeout_seconds: the connection was idle for too long"),
    // 32xx: requests the proxy does not serve
    NOT_SUPPORTED("0A000", 3201, "a call, protocol feature or statement the proxy does not serve"),
    PREPARE_AGAIN("0A000", 3202, "a reloaded policy rewrites the prepared statement differently: prepare it again"),
    SETTING_NOT_SUPPORTED("NOT_SUPPORTED", "0A000", 3203, Style.LABELLED,
            "PostgreSQL front end: SET of a parameter the proxy does not let a session change"),
    INVALID_SETTING("22023", 3204, "PostgreSQL front end: SET with a value the parameter does not take"),
    SCHEMA_NOT_ALLOWED("3F000", 3205, "setCatalog/setSchema to a catalog or schema the tenant's read and write"
            + " patterns do not reach; the connection keeps its defaults"),
    CATALOG_QUERY_FAILED("0A000", 3206, "PostgreSQL front end: a catalog query (pg_catalog, information_schema) the"
            + " tenant's governed catalog cannot answer, or the catalog could not be read from the backend"),
    // 33xx: the PostgreSQL protocol (PostgreSQL's SQLStates and message texts)
    DUPLICATE_PREPARED_STATEMENT("42P05", 3301, Style.POSTGRES, "Parse names a prepared statement that exists"),
    UNKNOWN_PREPARED_STATEMENT("26000", 3302, Style.POSTGRES, "a message names a prepared statement that does not exist"),
    DUPLICATE_PORTAL("42P03", 3303, Style.POSTGRES, "Bind names a portal that exists"),
    BIND_PARAMETER_COUNT("08P01", 3304, Style.POSTGRES, "Bind supplies another number of parameters than prepared"),
    INVALID_PARAMETER_VALUE("22P02", 3305, Style.POSTGRES, "a bound parameter value cannot be read as its type"),
    UNKNOWN_PORTAL("34000", 3306, Style.POSTGRES, "a message names a portal that does not exist"),
    UNKNOWN_SETTING("42704", 3307, Style.POSTGRES, "SHOW of a parameter the proxy does not know"),
    TRANSACTION_ABORTED("25P02", 3308, Style.POSTGRES, "a statement in a failed transaction block"),
    STATEMENT_GONE("26000", 3309, Style.POSTGRES, "the statement was closed in the proxy (e.g. the connection expired)"),
    RESULT_GONE("34000", 3310, Style.POSTGRES, "the result was closed in the proxy"),
    DATA_EXCEPTION("22000", 3311, "a value cannot be sent in the format the client asked for"),
    SCROLL_CURSOR_NOT_SUPPORTED("NOT_SUPPORTED", "0A000", 3312, Style.LABELLED, "DECLARE … SCROLL CURSOR"),
    CURSOR_OUTSIDE_TRANSACTION("25P01", 3313, Style.POSTGRES, "DECLARE without WITH HOLD outside a transaction"),
    DUPLICATE_CURSOR("42P03", 3314, Style.POSTGRES, "DECLARE names a cursor that exists"),
    CURSOR_NOT_A_QUERY("42P11", 3315, Style.POSTGRES, "DECLARE of a statement that is not a query"),
    UNKNOWN_CURSOR("34000", 3316, Style.POSTGRES, "FETCH, MOVE or CLOSE names a cursor that does not exist"),
    TOO_MANY_HANDLES("53400", 3317, Style.POSTGRES,
            "a session holds its maximum of named statements, portals or cursors (TOO_MANY_STATEMENTS, …)"),
    PROTOCOL_VIOLATION("08P01", 3318, "a message the PostgreSQL protocol does not allow where it came"),
    INVALID_MESSAGE_LENGTH("08P01", 3319, Style.POSTGRES, "a message or startup packet with an impossible length"),
    UNSUPPORTED_PROTOCOL_VERSION("0A000", 3320, Style.POSTGRES, "a startup message for another protocol than 3.0"),
    COPY_DATA_INVALID("22P04", 3321, "COPY FROM STDIN: a row of the data cannot be read in the COPY's format, or has"
            + " another number of columns than the COPY names"),
    COPY_FAILED("57014", 3322, "COPY FROM STDIN: the client ended the COPY with CopyFail; nothing of it is kept"),
    // 34xx: the Arrow Flight SQL front end
    STREAM_MEMORY_EXCEEDED("54000", 3401, "server.flight.stream_memory_mb: one batch of a result needs more Arrow"
            + " memory than a stream may hold"),
    TENANT_MEMORY_EXCEEDED("54000", 3404, "server.flight.tenant_memory_mb: a batch of a result or an ingest does not"
            + " fit in the Arrow memory all the tenant's Flight streams and ingests may hold together"),
    INVALID_COMPRESSION("22023", 3402, "Flight SQL: the header x-akkio-arrow-compression is neither lz4, zstd nor"
            + " none"),
    INVALID_ARROW_BODY("22P03", 3403, "Flight SQL: a compressed Arrow buffer the client sent does not decompress to"
            + " the length it declares"),
    PREPARED_RESULT_CHANGED("0A000", 3405, "Flight SQL: a prepared statement, prepared again for an execution, no"
            + " longer has the result columns it declared; prepare it anew");

    /** How a message is built from the detail. */
    public enum Style {
        /** {@code LABEL: detail}. */
        LABELLED,
        /** The detail alone: PostgreSQL's own message text (or one that names its own code). */
        POSTGRES
    }

    private final String label;
    private final String sqlState;
    private final int vendorCode;
    private final Style style;
    private final String meaning;

    ErrorCode(String sqlState, int vendorCode, String meaning) {
        this(null, sqlState, vendorCode, Style.LABELLED, meaning);
    }

    ErrorCode(String sqlState, int vendorCode, Style style, String meaning) {
        this(null, sqlState, vendorCode, style, meaning);
    }

    ErrorCode(String label, String sqlState, int vendorCode, Style style, String meaning) {
        this.label = label;
        this.sqlState = sqlState;
        this.vendorCode = vendorCode;
        this.style = style;
        this.meaning = meaning;
    }

    /** The code name messages start with: the constant's own name unless it shares another's. */
    public String label() {
        return label != null ? label : name();
    }

    public String sqlState() {
        return sqlState;
    }

    public int vendorCode() {
        return vendorCode;
    }

    public Style style() {
        return style;
    }

    /** When the error happens, for the README's table. */
    public String meaning() {
        return meaning;
    }

    /** The client's message for this error with {@code detail}. */
    public String message(String detail) {
        return style == Style.POSTGRES ? detail : label() + ": " + detail;
    }
}
