package com.akkio.dbproxy.jdbc;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * {@code jdbc:akkio://host:port[?tls=true&serialization=json&truststore=/path&truststore_password=...]} translated
 * to the Avatica remote driver's URL and properties. The tenant and secret travel as properties, never in the URL, so
 * that anything which logs the URL does not log the secret.
 */
final class AkkioUrl {
    static final String PREFIX = "jdbc:akkio://";
    static final Set<String> PARAMETERS = Set.of("tls", "serialization", "truststore", "truststore_password",
            "timeout_ms", "application_name");

    final String host;
    final int port;
    final boolean tls;
    final String serialization;
    final String truststore;
    final String truststorePassword;
    final int timeoutMs;
    /** The application's name for the proxy's audit log ({@code application_name}, as in pgjdbc); may be null. */
    final String applicationName;
    /** The URL's parameters as the user wrote them, but the trust store's password: for {@link #withoutSecrets}. */
    private final String shownParameters;

    private AkkioUrl(String host, int port, Map<String, String> params, String shownParameters)
            throws SQLException {
        this.host = host;
        this.port = port;
        this.shownParameters = shownParameters;
        this.applicationName = params.get("application_name");
        this.tls = Boolean.parseBoolean(params.getOrDefault("tls", "false"));
        this.serialization = params.getOrDefault("serialization", "protobuf").toLowerCase(Locale.ROOT);
        if (!serialization.equals("protobuf") && !serialization.equals("json")) {
            throw new SQLException("serialization must be protobuf or json, got '" + serialization + "'", "08001");
        }
        this.truststore = params.get("truststore");
        this.truststorePassword = params.get("truststore_password");
        try {
            this.timeoutMs = Integer.parseInt(params.getOrDefault("timeout_ms", "30000"));
        } catch (NumberFormatException e) {
            throw new SQLException("timeout_ms must be a number of milliseconds", "08001");
        }
    }

    static boolean accepts(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    static AkkioUrl parse(String url) throws SQLException {
        if (!accepts(url)) {
            throw new SQLException("not an akkio URL (expected " + PREFIX + "host:port)", "08001");
        }
        String rest = url.substring(PREFIX.length());
        int q = rest.indexOf('?');
        String authority = q < 0 ? rest : rest.substring(0, q);
        if (authority.endsWith("/")) {
            authority = authority.substring(0, authority.length() - 1);
        }
        int colon = authority.lastIndexOf(':');
        if (colon <= 0 || authority.contains("/") || authority.contains("@")) {
            throw new SQLException("URL must be " + PREFIX + "host:port, got " + PREFIX + authority, "08001");
        }
        int port;
        try {
            port = Integer.parseInt(authority.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new SQLException("port in " + PREFIX + authority + " is not a number", "08001");
        }
        Map<String, String> params = new LinkedHashMap<>();
        StringBuilder shown = new StringBuilder();
        if (q >= 0 && q + 1 < rest.length()) {
            for (String pair : rest.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "true" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (!PARAMETERS.contains(key)) {
                    throw new SQLException("unknown URL parameter '" + key + "' (known: tls, serialization,"
                            + " truststore, truststore_password, timeout_ms, application_name)", "08001");
                }
                params.put(key, value);
                if (!key.equals("truststore_password")) {
                    shown.append(shown.length() == 0 ? '?' : '&').append(pair);
                }
            }
        }
        return new AkkioUrl(authority.substring(0, colon), port, params, shown.toString());
    }

    /** The URL as the user gave it, without the trust store's password: what {@code getURL()} shows. */
    String withoutSecrets() {
        return PREFIX + host + ":" + port + shownParameters;
    }

    /**
     * The HTTP User-Agent the driver sends, which the proxy's audit log records: {@code akkio-jdbc/<version>}, and
     * the application's name in parentheses when the URL's {@code application_name} or the property of that name
     * gives one (printable ASCII, at most 64 characters, as PostgreSQL keeps 63).
     */
    String userAgent(Properties info) {
        String app = applicationName != null ? applicationName
                : info == null ? null : info.getProperty("application_name");
        String agent = "akkio-jdbc/" + ClientVersion.get();
        if (app == null) {
            return agent;
        }
        String clean = app.replaceAll("[^\\x20-\\x7e]|[()\\\\]", "").strip();
        clean = clean.length() > 64 ? clean.substring(0, 64) : clean;
        return clean.isEmpty() ? agent : agent + " (" + clean + ")";
    }

    /** The Avatica URL, without credentials. */
    String avaticaUrl() {
        return "jdbc:avatica:remote:url=" + (tls ? "https" : "http") + "://" + host + ":" + port
                + ";serialization=" + serialization + ";authentication=BASIC";
    }

    /** Avatica connection properties: credentials and TLS trust from the caller's properties and this URL. */
    Properties avaticaProperties(Properties info) {
        Properties p = new Properties();
        String user = info == null ? null : info.getProperty("user");
        String password = info == null ? null : info.getProperty("password");
        if (user != null) {
            p.setProperty("avatica_user", user);
        }
        if (password != null) {
            p.setProperty("avatica_password", password);
        }
        if (truststore != null) {
            p.setProperty("truststore", truststore);
        }
        if (truststorePassword != null) {
            p.setProperty("truststore_password", truststorePassword);
        }
        // larger frames than Avatica's default of 100 rows: fewer round trips for analytics results
        p.setProperty("fetch_size", "1000");
        // bounded retries, typed failures and the driver's user agent (see ProxyHttpClient)
        p.setProperty("httpclient_impl", ProxyHttpClient.class.getName());
        p.setProperty("http_connection_timeout", Integer.toString(timeoutMs));
        p.setProperty("http_response_timeout", Integer.toString(timeoutMs));
        return p;
    }
}
