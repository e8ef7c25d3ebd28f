package com.akkio.dbproxy.server.backend.databricks.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * A Databricks workspace on 127.0.0.1, just enough of it for the real databricks-jdbc driver (SQL Statement
 * Execution API, {@code UseThriftClient=0}, inline JSON results) and OAuth machine-to-machine: OIDC discovery, the
 * client-credentials token endpoint, sessions, statements, warehouses. Statements run on an in-memory DuckDB with
 * the same {@code catalog.schema.table} names. Every request is recorded for tests to inspect.
 */
public final class DatabricksEmulator implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One HTTP request as the emulator saw it. */
    public record Recorded(String method, String path, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    private volatile HttpsServer http;
    private final String host;
    private final int requestedPort;
    private final SSLContext tls;
    private final Connection duckdb;
    private final Map<String, String> clientSecrets = new ConcurrentHashMap<>();
    private final Map<String, Long> tokens = new ConcurrentHashMap<>();
    private final Map<String, String> entraSecrets = new ConcurrentHashMap<>();
    /** The application id of the Azure Databricks resource, whose Entra ID tokens a workspace accepts. */
    static final String AZURE_DATABRICKS_RESOURCE = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d";
    private final Map<String, String> sessions = new ConcurrentHashMap<>();
    private final EmulatedStatements statements;
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final EmulatedWarehouses warehouses = new EmulatedWarehouses(sessions::clear);
    private final SchemaGrants grants = new SchemaGrants();
    private volatile long tokenLifetimeSeconds = 3600;
    private volatile boolean tokenEndpointDown;
    private volatile long tokenDelayMillis;
    private final EmulatorResults results = new EmulatorResults();
    private final byte[] signingKey = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);

    /**
     * @param keystore PKCS12 keystore with the server certificate for 127.0.0.1
     */
    /**
     * @param host     loopback address to listen on; the driver's SDK drops the port from the workspace URL, so the
     *                 emulator listens on 443 of an address of its own (as a real workspace does)
     */
    public DatabricksEmulator(Path keystore, String password, String warehouseId, String host, int port)
            throws Exception {
        this.host = host;
        duckdb = DriverManager.getConnection("jdbc:duckdb:");
        ColumnMetadata.installFunctions(duckdb);
        statements = new EmulatedStatements(duckdb, this::duckdbText, (id, request, s, rows, created, response) -> results.encode(response, id, request, s, rows, created));
        warehouses.add(warehouseId);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(keystore)) {
            ks.load(in, password.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password.toCharArray());
        tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        this.requestedPort = port;
        http = listen();
    }

    private HttpsServer listen() throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(host, requestedPort), 64);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.setExecutor(Executors.newFixedThreadPool(32, r -> {
            Thread t = new Thread(r, "dbx-emulator");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
        return server;
    }

    /**
     * The workspace goes down: open connections are dropped, running statements cancelled, nothing listens until
     * {@link #resume}. Data and tokens survive.
     */
    public void suspend() {
        http.stop(0);
        statements.outcomes().forEach(o -> statements.cancel(o.id()));
    }

    public void resume() throws IOException {
        http = listen();
    }

    public String host() {
        return host;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** Runs SQL directly on the emulator's DuckDB, to set up data. */
    public void setUp(String sql) throws SQLException {
        try (Statement s = duckdb.createStatement()) {
            s.execute(sql);
        }
    }

    public void allowClient(String clientId, String secret) {
        clientSecrets.put(clientId + "\u0000" + secret, clientId);
    }

    /**
     * An Azure service principal of Entra ID tenant {@code tenant}: the emulator also answers as Entra ID's v1 token
     * endpoint ({@code POST /{tenant}/oauth2/token}, reached as {@code login.microsoftonline.com} when that name
     * resolves here) with tokens for the Azure Databricks resource, which API requests may then carry, and for the
     * management endpoint (the SDK's {@code X-Databricks-Azure-SP-Management-Token}).
     */
    public void allowEntraClient(String tenant, String clientId, String secret) {
        entraSecrets.put(tenant + "\u0000" + clientId + "\u0000" + secret, clientId);
    }

    public void revokeClient(String clientId, String secret) {
        clientSecrets.remove(clientId + "\u0000" + secret);
    }

    /** The token endpoint answers 503 while down; everything else keeps working. */
    public void tokenEndpointDown(boolean down) {
        this.tokenEndpointDown = down;
    }

    /** The token endpoint answers only after {@code delay} (zero: at once). */
    public void tokenEndpointDelay(java.time.Duration delay) {
        this.tokenDelayMillis = delay.toMillis();
    }

    /**
     * Every statement fails in the warehouse with this error code and message, as a warehouse does when it is
     * overloaded or broken, until called with null.
     */
    public void failStatements(String errorCode, String message) {
        statements.fail(errorCode == null ? null : error(errorCode, message));
    }

    /** Every statement fails with this error class, message and SQLSTATE, until called with null. */
    public void failStatements(String errorClass, String message, String sqlState) {
        statements.fail(errorClass == null ? null : WarehouseErrors.error(errorClass, message, sqlState));
    }

    /** Every statement stays RUNNING this long before its work starts (zero: none), as on a busy warehouse. */
    public void statementsRunFor(java.time.Duration duration) {
        statements.runFor(duration);
    }

    /** Every statement submitted so far: its text, its final (or current) state, and how fast a cancel stopped it. */
    public List<EmulatedStatements.Outcome> statementOutcomes() {
        return statements.outcomes();
    }

    /** The next {@code count} statement submissions are refused with {@code status} (429, 503) and Retry-After. */
    public void throttleStatements(int count, int status, int retryAfterSeconds) {
        statements.throttle(count, status, retryAfterSeconds);
    }

    /** How long a stopped warehouse takes to start. */
    public void warehouseStartTakes(java.time.Duration duration) {
        warehouses.startTakes(duration);
    }

    /** Every start of a warehouse so far, with its cause ({@code api} or {@code session}). */
    public List<EmulatedWarehouses.Start> warehouseStarts() {
        return warehouses.starts();
    }

    /**
     * The service principal may use only these schemas ({@code catalog.schema}); sessions in others are refused
     * (null: any).
     */
    public void grantOnlySchemas(Set<String> schemas) {
        grants.only(schemas);
    }

    /** Ends every session, as a warehouse does when it restarts or a session times out ("Invalid SessionHandle"). */
    public void expireSessions() {
        sessions.clear();
    }

    /** Results of more than {@code rows} rows come in chunks of that many, fetched one by one (zero: one chunk). */
    public void chunkRows(int rows) {
        results.chunkRows(rows);
    }

    /** Fetching chunk {@code index} or a later one fails (HTTP 500), as a warehouse losing a result does; -1 heals. */
    public void failChunksFrom(int index) {
        results.failChunksFrom(index);
    }

    /** Where EXTERNAL_LINKS results are stored (none: every Arrow result goes inline). */
    public void storage(StorageHost host) {
        results.storage(host);
    }

    /** Arrow results up to this many bytes go inline when the driver allows either. */
    public void inlineLimitBytes(long bytes) {
        results.inlineLimitBytes(bytes);
    }

    /** How long an external link stays valid. */
    public void linkLifetime(java.time.Duration lifetime) {
        results.linkLifetime(lifetime);
    }

    /** Result columns labelled {@code label} are of Databricks type {@code typeText} (one DuckDB lacks). */
    public void declareType(String label, String typeText) {
        results.declare(label, typeText);
    }

    /** How each result so far was sent: {@code JSON_ARRAY}, {@code ARROW_STREAM INLINE|LINKS|EMPTY}. */
    public List<String> resultsServed() {
        return results.served();
    }

    public void tokenLifetimeSeconds(long seconds) {
        this.tokenLifetimeSeconds = seconds;
    }

    /** Adds a warehouse, or takes one away (new sessions on it fail) when {@code up} is false. */
    public void warehouse(String id, boolean up) {
        if (up) {
            warehouses.add(id);
        } else {
            warehouses.remove(id);
        }
    }

    /** Every warehouse takes this state; STOPPED ends their sessions, as an auto-stop does. */
    public void warehouseState(String state) {
        warehouses.setAll(state);
    }

    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    public long count(String pathPrefix) {
        return requests.stream().filter(r -> r.path().startsWith(pathPrefix)).count();
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = ex.getRequestURI().getPath();
        Map<String, String> headers = new HashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
        requests.add(new Recorded(ex.getRequestMethod(), path, headers, body));
        try {
            if (path.equals("/oidc/.well-known/oauth-authorization-server")) {
                String base = "https://" + host + ":" + port();
                reply(ex, 200, JSON.createObjectNode().put("issuer", base + "/oidc")
                        .put("authorization_endpoint", base + "/oidc/v1/authorize")
                        .put("token_endpoint", base + "/oidc/v1/token"));
            } else if (path.equals("/oidc/v1/token")) {
                if (tokenEndpointDown) {
                    reply(ex, 503, error("TEMPORARILY_UNAVAILABLE", "token endpoint down"));
                    return;
                }
                if (tokenDelayMillis > 0) {
                    Thread.sleep(tokenDelayMillis);
                }
                token(ex, body, headers);
            } else if (path.matches("/[^/]+/oauth2/token")) {
                entraToken(ex, path.substring(1, path.indexOf("/oauth2/")), body);
            } else if (path.startsWith("/api/2.0/connector-service/feature-flags/")) {
                reply(ex, 200, JSON.createObjectNode().put("ttl_seconds", 900).set("flags", JSON.createArrayNode()));
            } else if (!authorized(headers)) {
                reply(ex, 401, error("UNAUTHENTICATED", "invalid or expired access token"));
            } else if (path.matches("/api/2\\.0/sql/(warehouses/[^/]+/)?sessions.*")) {
                session(ex, path, body);
            } else if (path.startsWith("/api/2.0/sql/warehouses/")) {
                warehouse(ex, path);
            } else if (path.startsWith("/api/2.0/sql/statements")) {
                statement(ex, path, body);
            } else {
                reply(ex, 404, error("ENDPOINT_NOT_FOUND", "no emulated endpoint " + path));
            }
        } catch (Exception e) {
            reply(ex, 500, error("INTERNAL_ERROR", String.valueOf(e.getMessage())));
        }
    }

    private void token(HttpExchange ex, String body, Map<String, String> headers) throws IOException {
        Map<String, String> form = form(body);
        String id = form.get("client_id");
        String secret = form.get("client_secret");
        String auth = headers.get("authorization");
        if (auth != null && auth.startsWith("Basic ")) {
            String decoded = new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8);
            id = decoded.substring(0, decoded.indexOf(':'));
            secret = decoded.substring(decoded.indexOf(':') + 1);
        }
        if (!"client_credentials".equals(form.get("grant_type")) || id == null
                || !clientSecrets.containsKey(id + "\u0000" + secret)) {
            reply(ex, 401, JSON.createObjectNode().put("error", "invalid_client")
                    .put("error_description", "Client authentication failed"));
            return;
        }
        long now = System.currentTimeMillis() / 1000;
        String token = jwt(JSON.createObjectNode().put("sub", id).put("iat", now).put("exp", now + tokenLifetimeSeconds)
                .put("jti", UUID.randomUUID().toString()));
        tokens.put(token, System.currentTimeMillis() + tokenLifetimeSeconds * 1000);
        reply(ex, 200, JSON.createObjectNode().put("access_token", token).put("token_type", "Bearer")
                .put("expires_in", tokenLifetimeSeconds).put("scope", "all-apis"));
    }

    /**
     * Entra ID's v1 client-credentials grant: a JWT issued by {@code https://sts.windows.net/{tenant}/} for the
     * requested resource; tokens for the Azure Databricks resource authorise API requests. A wrong secret gets
     * Entra ID's {@code invalid_client} with its AADSTS code.
     */
    private void entraToken(HttpExchange ex, String tenant, String body) throws IOException {
        Map<String, String> form = form(body);
        String id = form.get("client_id");
        if (!"client_credentials".equals(form.get("grant_type"))
                || !entraSecrets.containsKey(tenant + "\u0000" + id + "\u0000" + form.get("client_secret"))) {
            reply(ex, 401, JSON.createObjectNode().put("error", "invalid_client").put("error_description",
                    "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the"
                    + " client secret value, not the client secret ID, for a secret added to app '" + id + "'."));
            return;
        }
        String resource = form.getOrDefault("resource", "");
        long now = System.currentTimeMillis() / 1000;
        String token = jwt(JSON.createObjectNode().put("aud", resource).put("iss", "https://sts.windows.net/" + tenant
                + "/").put("appid", id).put("tid", tenant).put("iat", now).put("nbf", now)
                .put("exp", now + tokenLifetimeSeconds).put("uti", UUID.randomUUID().toString()));
        if (resource.equals(AZURE_DATABRICKS_RESOURCE)) {
            tokens.put(token, System.currentTimeMillis() + tokenLifetimeSeconds * 1000);
        }
        reply(ex, 200, JSON.createObjectNode().put("token_type", "Bearer").put("expires_in", tokenLifetimeSeconds)
                .put("ext_expires_in", tokenLifetimeSeconds).put("resource", resource).put("access_token", token));
    }

    /** Workspace OAuth tokens are JWTs, and the driver reads their expiry: signed here with a per-run key. */
    private String jwt(ObjectNode claims) throws IOException {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                + "." + b64.encodeToString(JSON.writeValueAsBytes(claims));
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(signingKey, "HmacSHA256"));
            return signingInput + "." + b64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private boolean authorized(Map<String, String> headers) {
        String auth = headers.get("authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            return false;
        }
        Long expires = tokens.get(auth.substring(7));
        return expires != null && expires > System.currentTimeMillis();
    }

    private void warehouse(HttpExchange ex, String path) throws IOException {
        String id = path.substring("/api/2.0/sql/warehouses/".length()).replaceAll("/start$", "");
        if (!warehouses.exists(id)) {
            reply(ex, 404, error("RESOURCE_DOES_NOT_EXIST", "warehouse " + id + " does not exist"));
        } else if (path.endsWith("/start")) {
            warehouses.start(id, "api");
            reply(ex, 200, JSON.createObjectNode());
        } else {
            reply(ex, 200, JSON.createObjectNode().put("id", id).put("name", "emulated")
                    .put("state", warehouses.state(id)));
        }
    }

    private void session(HttpExchange ex, String path, String body) throws IOException {
        if (ex.getRequestMethod().equals("POST")) {
            JsonNode request = JSON.readTree(body.isEmpty() ? "{}" : body);
            String warehouse = request.path("warehouse_id").asText(
                    path.replaceAll(".*/warehouses/([^/]+)/sessions.*", "$1"));
            if (!warehouses.exists(warehouse)) {
                reply(ex, 404, error("RESOURCE_DOES_NOT_EXIST", "warehouse " + warehouse + " does not exist"));
                return;
            }
            String denied = grants.refusal(request.path("catalog").asText(null), request.path("schema").asText(null));
            if (denied != null) {
                reply(ex, 403, error("PERMISSION_DENIED", denied));
                return;
            }
            int retryAfter = warehouses.sessionRetryAfter(warehouse);
            if (retryAfter > 0) {
                ex.getResponseHeaders().add("Retry-After", Integer.toString(retryAfter));
                reply(ex, 503, error("TEMPORARILY_UNAVAILABLE", "warehouse " + warehouse + " is "
                        + warehouses.state(warehouse) + "; retry later"));
                return;
            }
            String id = UUID.randomUUID().toString();
            sessions.put(id, warehouse);
            reply(ex, 200, JSON.createObjectNode().put("session_id", id));
        } else {
            sessions.remove(path.replaceAll(".*/sessions/?", "").replaceAll("\\?.*", ""));
            reply(ex, 200, JSON.createObjectNode());
        }
    }

    private void statement(HttpExchange ex, String path, String body) throws IOException, InterruptedException {
        String rest = path.replaceFirst("^/api/2.0/sql/statements/?", "");
        String method = ex.getRequestMethod();
        if (method.equals("POST") && rest.isEmpty()) {
            JsonNode request = JSON.readTree(body);
            int refused = statements.refusal();
            if (refused > 0) {
                ex.getResponseHeaders().add("Retry-After", Integer.toString(statements.retryAfter()));
                reply(ex, refused, refused == 429 ? error("REQUEST_LIMIT_EXCEEDED", "too many requests")
                        : error("TEMPORARILY_UNAVAILABLE", "the warehouse is busy"));
            } else if (request.hasNonNull("session_id") && !sessions.containsKey(request.get("session_id").asText())) {
                reply(ex, 404, error("NOT_FOUND", "Invalid SessionHandle: SessionHandle ["
                        + request.get("session_id").asText() + "]"));
            } else {
                reply(ex, 200, statements.submit(request));
            }
        } else if (method.equals("POST") && rest.endsWith("/cancel")) {
            boolean known = statements.cancel(rest.substring(0, rest.indexOf('/')));
            reply(ex, known ? 200 : 404, known ? JSON.createObjectNode() : error("NOT_FOUND", "no statement " + rest));
        } else if (method.equals("DELETE")) {
            statements.close(rest);
            reply(ex, 200, JSON.createObjectNode());
        } else if (method.equals("GET") && rest.contains("/result/chunks/")) {
            EmulatorResults.Reply chunk = results.chunk(rest.substring(0, rest.indexOf('/')),
                    Integer.parseInt(rest.substring(rest.lastIndexOf('/') + 1)));
            reply(ex, chunk.status(), chunk.body());
        } else if (method.equals("GET")) {
            ObjectNode st = statements.get(rest.replaceAll("/status$", ""));
            reply(ex, st == null ? 404 : 200, st == null ? error("NOT_FOUND", "no statement " + rest) : st);
        } else {
            reply(ex, 404, error("ENDPOINT_NOT_FOUND", method + " " + path));
        }
    }

    /** A statement's text as DuckDB runs it. */
    private String duckdbText(String text) {
        // DatabaseMetaData.getColumns of databricks-jdbc: answered from DuckDB's catalog (ColumnMetadata)
        String columns = columnMetadata(text);
        if (columns != null) {
            return columns;
        }
        // Spark SQL quotes identifiers with backticks, DuckDB with double quotes
        String statement = raiseError(text.replace('`', '"'));
        // Databricks SQL's parameter markers are ? and :name; a warehouse cannot parse PostgreSQL's $1 (DuckDB can)
        if (statement.replaceAll("'([^']|'')*'", "''").matches("(?s).*\\$\\d.*")) {
            throw new IllegalArgumentException(new SQLException("[PARSE_SYNTAX_ERROR] Syntax error at or near '$'."
                    + " SQLSTATE: 42601", "42601"));
        }
        String detail = DescribeDetail.query(statement);
        if (detail != null) {
            return detail;
        }
        // the driver sets a connection's catalog and schema (setCatalog, setSchema) with SET CATALOG and USE SCHEMA,
        // which a warehouse takes for its session; the emulator's statements name their catalogs and schemas (the
        // proxy qualifies every name), so it only answers as a warehouse does
        if (statement.matches("(?is)\\s*(SET|USE)\\s+(CATALOG|SCHEMA|DATABASE)\\s+\\S+\\s*;?\\s*")) {
            return "SELECT 1 AS ok WHERE false";
        }
        // the driver describes a prepared statement's result with DESCRIBE QUERY (before it has one)
        try {
            return statement.regionMatches(true, 0, DESCRIBE_QUERY, 0, DESCRIBE_QUERY.length())
                    ? describeQuery(statement.substring(DESCRIBE_QUERY.length())) : statement;
        } catch (SQLException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private String columnMetadata(String text) {
        try {
            return ColumnMetadata.query(duckdb, text, results::describedType);
        } catch (SQLException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static final String DESCRIBE_QUERY = "DESCRIBE QUERY ";
    /** A string literal (passed over), or a call of Databricks SQL's raise_error. */
    private static final java.util.regex.Pattern RAISE_ERROR = java.util.regex.Pattern.compile(
            "'(?:[^'\\\\]|\\\\.|'')*'|(?i)\\braise_error\\s*\\(");

    /**
     * Databricks SQL's {@code raise_error(msg)} as DuckDB's {@code error}, its message marked so that the failure
     * reads as a warehouse's: {@code [USER_RAISED_EXCEPTION] msg SQLSTATE: P0001} ({@link WarehouseErrors}).
     */
    static String raiseError(String sql) {
        java.util.regex.Matcher m = RAISE_ERROR.matcher(sql);
        StringBuilder out = new StringBuilder(sql.length());
        while (m.find()) {
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(m.group().startsWith("'") ? m.group()
                    : "error('" + WarehouseErrors.USER_RAISED + "' || "));
        }
        return m.appendTail(out).toString();
    }

    /**
     * A query answering {@code DESCRIBE QUERY} of {@code query} as a warehouse does: one row per result column, its
     * name, its type text in lower case ({@code int}, {@code decimal(10,2)}, {@code array<int>}) and a comment.
     */
    private String describeQuery(String query) throws SQLException {
        StringBuilder rows = new StringBuilder();
        // databricks-jdbc sends a prepared statement's ? markers quoted ('?'), which a warehouse only analyses but
        // DuckDB would cast when it describes: describe the query with NULL in their place
        try (Statement s = duckdb.createStatement();
             ResultSet r = s.executeQuery("DESCRIBE " + query.replace("'?'", "NULL"))) {
            while (r.next()) {
                rows.append(rows.length() == 0 ? "" : ", ").append("('").append(r.getString(1).replace("'", "''"))
                        .append("', '")
                        .append(results.describedType(r.getString(1), r.getString(2)).toLowerCase(java.util.Locale.ROOT))
                        .append("', NULL)");
            }
        }
        return "SELECT * FROM (VALUES " + rows + ") AS t(col_name, data_type, comment)";
    }

    private static ObjectNode error(String code, String message) {
        return JSON.createObjectNode().put("error_code", code).put("message", message);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void reply(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    @Override
    public void close() throws SQLException {
        http.stop(0);
        statements.close();
        warehouses.close();
        duckdb.close();
    }
}
