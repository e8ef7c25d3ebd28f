package com.akkio.dbproxy.server.backend;

import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import com.akkio.dbproxy.server.errors.ErrorCode;

/**
 * How a backend's driver failures reach a client: a table of rules, consulted for each exception of the cause chain
 * (at most {@link #MAX_CAUSES} of them, as HikariCP bounds its walk, so a cyclic or absurdly deep chain costs
 * nothing), then the driver's own SQLState. The rules every JDBC driver shares live here; a backend whose driver
 * says more in its messages than in its exception types brings its own rules and message scrubbing
 * ({@code DatabricksErrors}). Messages keep their first line only: drivers put stack traces, configuration and the
 * statement's text on the lines after it.
 */
public class BackendErrors {
    static final int MAX_CAUSES = 16;
    private static final int MAX_MESSAGE = 500;

    /** Drivers without rules of their own (DuckDB). */
    public static final BackendErrors STANDARD = new BackendErrors(List.of(), UnaryOperator.identity());

    /**
     * A failure as the client will see it. {@code detail} is null for {@link ErrorCode#QUERY_TIMEOUT}, whose message
     * names the tenant's rule and so is the caller's to write.
     */
    public record Translated(ErrorCode code, String sqlState, int vendorCode, String detail) {
    }

    /** One row of a backend's table: exceptions {@code matches} accepts are {@code code}, described by the prefix. */
    public record Rule(Predicate<Throwable> matches, ErrorCode code, String detail) {
    }

    private final List<Rule> rules;
    private final UnaryOperator<String> scrub;

    /**
     * @param rules checked for each cause after the standard timeout, pool and network rules
     * @param scrub applied to a message's first line before a client sees it
     */
    protected BackendErrors(List<Rule> rules, UnaryOperator<String> scrub) {
        this.rules = List.copyOf(rules);
        this.scrub = scrub;
    }

    /** The client's view of {@code failure} on backend {@code backend}. */
    public final Translated translate(Throwable failure, String backend) {
        int depth = 0;
        // the pool reports a connection it could not open as its own timeout, with the reason as the cause
        for (Throwable t = failure; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
            if (t instanceof Backend.WarehouseNotStarted) {
                return labelled(ErrorCode.WAREHOUSE_NOT_STARTED, t.getMessage());
            }
        }
        depth = 0;
        for (Throwable t = failure; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
            if (t instanceof SQLTimeoutException) {
                return new Translated(ErrorCode.QUERY_TIMEOUT, null, 0, null);
            }
            if (t instanceof SQLTransientConnectionException && t.getCause() == null) {
                return labelled(ErrorCode.BACKEND_POOL_EXHAUSTED, "backend '" + backend
                        + "' has no free connection (pool wait exceeded): " + firstLine(t.getMessage()));
            }
            if (t instanceof SQLTransientConnectionException || t instanceof SQLException && unreachable(t)) {
                // a pool timeout with a cause: the pool had room, but connecting failed; the backend's own rules
                // name the reason first where they know it (a secret the identity provider refused)
                Translated known = byRule(t, backend);
                if (known != null) {
                    return known;
                }
                Throwable why = t.getCause() != null ? t.getCause() : t;
                return labelled(ErrorCode.BACKEND_UNREACHABLE, "backend '" + backend + "' cannot be reached: "
                        + scrub.apply(firstLine(why.getMessage())));
            }
            if (t instanceof SQLException sql) {
                for (Rule rule : rules) {
                    if (anyCause(sql, rule.matches())) {
                        return labelled(rule.code(), "backend '" + backend + "' " + rule.detail() + ": "
                                + scrub.apply(firstLine(sql.getMessage())));
                    }
                }
                String state = isStandardState(sql.getSQLState()) ? sql.getSQLState()
                        : ErrorCode.BACKEND_ERROR.sqlState();
                return new Translated(ErrorCode.BACKEND_ERROR, state, sql.getErrorCode(),
                        scrub.apply(firstLine(sql.getMessage())) + reason(sql.getMessage()));
            }
        }
        return labelled(ErrorCode.BACKEND_FAILURE, "backend '" + backend + "' failed: "
                + scrub.apply(firstLine(failure.getMessage())));
    }

    /** The first cause of {@code failure} one of this table's rules matches, translated by that rule; or null. */
    private Translated byRule(Throwable failure, String backend) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
            for (Rule rule : rules) {
                if (rule.matches().test(t)) {
                    return labelled(rule.code(), "backend '" + backend + "' " + rule.detail() + ": "
                            + scrub.apply(firstLine(t.getMessage())));
                }
            }
        }
        return null;
    }

    /** True when the failure is one this table does not recognise: worth a warning with its stack trace. */
    public final boolean unexpected(Translated translated) {
        return translated.code() == ErrorCode.BACKEND_FAILURE;
    }

    /**
     * What a driver's message says beyond its first line that a tenant should see, as {@code " (…)"}; nothing by
     * default.
     */
    protected String reason(String message) {
        return "";
    }

    private static Translated labelled(ErrorCode code, String detail) {
        return new Translated(code, code.sqlState(), code.vendorCode(), detail);
    }

    /** True when {@code e} or one of its causes matches. */
    protected static boolean anyCause(Throwable e, Predicate<Throwable> matches) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
            if (matches.test(t)) {
                return true;
            }
        }
        return false;
    }

    /** True when the failure came from the network: the backend did not answer. */
    private static boolean unreachable(Throwable e) {
        return anyCause(e, t -> t instanceof java.net.SocketException || t instanceof java.net.UnknownHostException
                || t instanceof java.net.SocketTimeoutException || t instanceof javax.net.ssl.SSLException
                || t.getClass().getSimpleName().endsWith("HostConnectException")
                || t.getClass().getSimpleName().endsWith("NoHttpResponseException"));
    }

    private static boolean isStandardState(String state) {
        return state != null && state.length() == 5 && state.chars().allMatch(
                c -> c >= '0' && c <= '9' || c >= 'A' && c <= 'Z');
    }

    static String firstLine(String message) {
        if (message == null) {
            return "no message";
        }
        String line = message.strip().lines().findFirst().orElse("no message");
        return line.length() > MAX_MESSAGE ? line.substring(0, MAX_MESSAGE) + "…" : line;
    }
}
