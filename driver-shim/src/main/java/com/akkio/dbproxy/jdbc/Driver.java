package com.akkio.dbproxy.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import org.apache.calcite.avatica.AvaticaClientRuntimeException;
import org.apache.calcite.avatica.remote.JsonService;

/**
 * The akkio-dbproxy JDBC driver: {@code jdbc:akkio://host:port}, with {@code user} the tenant and {@code password}
 * its secret. It wraps Avatica's remote driver, so a user never types an Avatica URL, and turns the proxy's errors
 * into {@link SQLException}s carrying the proxy's SQLState (Avatica raises connection-time errors unchecked).
 */
public final class Driver implements java.sql.Driver {
    private static final org.apache.calcite.avatica.remote.Driver AVATICA = new org.apache.calcite.avatica.remote.Driver();

    static {
        // the proxy sends NaN and infinities in JSON as bare numbers (Jackson writes strings by default, which
        // Avatica's client cannot read as a double); this is the jar's own copy of Avatica's mapper
        JsonService.MAPPER.enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature());
        JsonService.MAPPER.disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS.mappedFeature());
        try {
            DriverManager.registerDriver(new Driver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!AkkioUrl.accepts(url)) {
            return null; // JDBC: not ours, let DriverManager ask the next driver
        }
        AkkioUrl parsed = AkkioUrl.parse(url);
        String user = info == null ? null : info.getProperty("user");
        String password = info == null ? null : info.getProperty("password");
        if (user == null || user.isEmpty() || password == null || password.isEmpty()) {
            throw new SQLException("credentials missing: connect with the tenant as property 'user' and its secret"
                    + " as property 'password'", "28000");
        }
        ProxyHttpClient.OPENING.set(new ProxyHttpClient.Settings(parsed.userAgent(info), parsed.timeoutMs,
                parsed.host + ":" + parsed.port));
        try {
            Connection avatica = AVATICA.connect(parsed.avaticaUrl(), parsed.avaticaProperties(info));
            return SqlExceptions.wrap(avatica, new ClientSession(new ProxyRequests(parsed, info,
                    ((org.apache.calcite.avatica.AvaticaConnection) avatica).id), parsed.withoutSecrets(), user));
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof AvaticaClientRuntimeException avatica) {
                    throw SqlExceptions.translate(avatica);
                }
            }
            throw new SQLException("cannot reach akkio-dbproxy at " + parsed.host + ":" + parsed.port + ": "
                    + rootMessage(e), "08001", e);
        } finally {
            ProxyHttpClient.OPENING.remove();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    @Override
    public boolean acceptsURL(String url) {
        return AkkioUrl.accepts(url);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return new DriverPropertyInfo[] {
            property("user", info, "tenant name", true),
            property("password", info, "tenant secret", true),
            property("tls", info, "URL parameter: true for HTTPS", false),
            property("serialization", info, "URL parameter: protobuf (default) or json", false),
            property("truststore", info, "URL parameter: trust store for the proxy's TLS certificate", false),
            property("truststore_password", info, "URL parameter: trust store password", false),
            property("timeout_ms", info, "URL parameter: connect and response timeout (default 30000)", false),
            property("application_name", info, "URL parameter or property: the application's name, which the"
                    + " proxy's audit log records with the driver's user agent", false),
        };
    }

    private static DriverPropertyInfo property(String name, Properties info, String description, boolean required) {
        DriverPropertyInfo p = new DriverPropertyInfo(name, name.equals("password") || info == null ? null
                : info.getProperty(name));
        p.description = description;
        p.required = required;
        return p;
    }

    @Override
    public int getMajorVersion() {
        return ClientVersion.part(0);
    }

    @Override
    public int getMinorVersion() {
        return ClientVersion.part(1);
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("the driver logs through SLF4J");
    }
}
