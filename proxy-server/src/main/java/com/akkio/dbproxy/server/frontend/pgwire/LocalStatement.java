package com.akkio.dbproxy.server.frontend.pgwire;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;

/**
 * The statements PostgreSQL drivers and tools send on their own (on connect, around transactions, to learn what
 * server they talk to), which the front end answers itself: they concern the client's session, not the tenant's data,
 * and the backend is not PostgreSQL, so forwarding them would be wrong even where the policy let them pass (it does
 * not: session statements and system catalogs are denied). Each one is matched on its whole normalised text; anything
 * else, including variants of these, goes through the governed path like every other statement.
 */
sealed interface LocalStatement {
    /** The columns of the result (empty for a command). */
    default List<Column> columns() {
        return List.of();
    }

    record Column(String name, PgType type) {
    }

    /** BEGIN / START TRANSACTION. */
    record Begin() implements LocalStatement {
    }

    /** COMMIT / END. */
    record Commit() implements LocalStatement {
    }

    /** ROLLBACK / ABORT. */
    record Rollback() implements LocalStatement {
    }

    /** SET of a client setting, validated against what the proxy actually does. */
    record Set(String name, String value) implements LocalStatement {
    }

    /** SHOW of a setting. */
    record Show(String name) implements LocalStatement {
        @Override
        public List<Column> columns() {
            return List.of(new Column(name, PgType.TEXT));
        }
    }

    /** A one-row answer about the server or the session (version(), current_schema(), ...). */
    record Function(String function) implements LocalStatement {
        @Override
        public List<Column> columns() {
            return List.of(new Column(function, PgType.TEXT));
        }
    }

    /** psycopg2's lookup of the hstore type's OIDs (SQLAlchemy runs it on connect): the proxy has no hstore. */
    record HstoreOids() implements LocalStatement {
        @Override
        public List<Column> columns() {
            return List.of(new Column("oid", PgType.OID), new Column("typarray", PgType.OID));
        }
    }

    /**
     * DECLARE of a cursor (psycopg2's named cursors, psql's FETCH_COUNT): the front end keeps the cursor, and its
     * query goes through the governed path like any other statement; FETCH then streams the open result.
     */
    record Declare(String name, String query, boolean binary, boolean scroll, boolean hold) implements LocalStatement {
    }

    /** FETCH [FORWARD|NEXT] [n|ALL] FROM name; {@code count} -1 for ALL. */
    record Fetch(String name, long count) implements LocalStatement {
    }

    /** CLOSE name, or CLOSE ALL ({@code name} null). */
    record CloseCursor(String name) implements LocalStatement {
    }

    String CURSOR_NAME = "(\"(?:[^\"]|\"\")+\"|[A-Za-z_][A-Za-z0-9_$]*)";
    Pattern DECLARE = Pattern.compile("declare\\s+" + CURSOR_NAME + "\\s+(binary\\s+)?((?:insensitive|asensitive)\\s+)?"
            + "(no\\s+scroll\\s+|scroll\\s+)?cursor\\s+(?:(with|without)\\s+hold\\s+)?for\\s+(.+)",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    Pattern FETCH = Pattern.compile("fetch\\s+(?:(?:forward|next)\\s+)?(?:(\\d+|all)\\s+)?(?:(?:from|in)\\s+)?"
            + CURSOR_NAME, Pattern.CASE_INSENSITIVE);
    Pattern CLOSE = Pattern.compile("close\\s+" + CURSOR_NAME, Pattern.CASE_INSENSITIVE);

    Pattern BEGIN = Pattern.compile("(begin|start transaction)( work| transaction)?"
            + "( (isolation level (serializable|repeatable read|read committed|read uncommitted)|read only|read write"
            + "|not deferrable|deferrable),?)*");
    Pattern COMMIT = Pattern.compile("(commit|end)( work| transaction)?");
    Pattern ROLLBACK = Pattern.compile("(rollback|abort)( work| transaction)?");
    Pattern SET = Pattern.compile("set( session)? ([a-z_][a-z0-9_]*)( to | ?= ?)(.+)");
    Pattern SET_TIME_ZONE = Pattern.compile("set( session)? time zone (.+)");
    Pattern SET_CHARACTERISTICS = Pattern.compile("set session characteristics as transaction (.+)");
    Pattern SHOW = Pattern.compile("show ([a-z_][a-z0-9_ ]*)");
    Pattern FUNCTION = Pattern.compile("select (pg_catalog\\.)?(version|current_schema|current_database|current_catalog)"
            + "(\\( ?\\))?");
    Pattern HSTORE = Pattern.compile("select t\\.oid, (typarray|null) from pg_type t join pg_namespace ns on"
            + " typnamespace = ns\\.oid where typname = 'hstore'");

    /** The local statement {@code sql} is, or null when it is for the governed path. */
    static LocalStatement recognize(String sql) {
        LocalStatement cursor = cursorStatement(sql);
        if (cursor != null) {
            return cursor;
        }
        String s = normalise(sql);
        if (s == null) {
            return null;
        }
        if (BEGIN.matcher(s).matches()) {
            return new Begin();
        }
        if (COMMIT.matcher(s).matches()) {
            return new Commit();
        }
        if (ROLLBACK.matcher(s).matches()) {
            return new Rollback();
        }
        Matcher m = SET_TIME_ZONE.matcher(s);
        if (m.matches()) {
            return new Set("timezone", unquote(m.group(2)));
        }
        m = SET_CHARACTERISTICS.matcher(s);
        if (m.matches() && BEGIN.matcher("begin " + m.group(1)).matches()) {
            return new Set("default_transaction_characteristics", m.group(1));
        }
        m = SET.matcher(s);
        if (m.matches()) {
            return new Set(m.group(2), unquote(m.group(4)));
        }
        m = SHOW.matcher(s);
        if (m.matches()) {
            String name = m.group(1).strip();
            return new Show(name.equals("transaction isolation level") ? "transaction_isolation" : name);
        }
        m = FUNCTION.matcher(s);
        if (m.matches() && (m.group(3) != null || !m.group(2).equals("version"))) {
            return new Function(m.group(2));
        }
        if (HSTORE.matcher(s).matches()) {
            return new HstoreOids();
        }
        return null;
    }

    /** Comments and statement separators: what a query string may consist of and still be empty. */
    Pattern NOTHING = Pattern.compile("(?s)/\\*.*?\\*/|--[^\\n]*|;");

    /** True for a query string with nothing but whitespace, comments and semicolons (EmptyQueryResponse). */
    static boolean isEmpty(String sql) {
        return NOTHING.matcher(sql).replaceAll("").isBlank();
    }

    /** DECLARE / FETCH / CLOSE, matched on the text as sent (the declared query is passed on verbatim). */
    private static LocalStatement cursorStatement(String sql) {
        String s = sql.strip();
        while (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        Matcher m = DECLARE.matcher(s);
        if (m.matches()) {
            String scroll = m.group(4);
            return new Declare(cursorName(m.group(1)), m.group(6), m.group(2) != null,
                    scroll != null && !scroll.toLowerCase(Locale.ROOT).startsWith("no"),
                    "with".equalsIgnoreCase(m.group(5)));
        }
        if (s.contains(";") || s.contains("--") || s.contains("/*")) {
            return null;
        }
        m = FETCH.matcher(s);
        if (m.matches()) {
            String count = m.group(1);
            return new Fetch(cursorName(m.group(2)), count == null ? 1
                    : count.equalsIgnoreCase("all") ? -1 : Long.parseLong(count));
        }
        m = CLOSE.matcher(s);
        if (m.matches()) {
            return new CloseCursor(m.group(1).equalsIgnoreCase("all") ? null : cursorName(m.group(1)));
        }
        return null;
    }

    /** A quoted name keeps its case (and "" stands for "), an unquoted one folds to lower case, as in PostgreSQL. */
    private static String cursorName(String name) {
        if (name.startsWith("\"")) {
            return name.substring(1, name.length() - 1).replace("\"\"", "\"");
        }
        return name.toLowerCase(Locale.ROOT);
    }

    /**
     * Lower case outside quotes, whitespace collapsed, trailing semicolons dropped; null if the text has a comment or
     * a second statement, which are never answered locally.
     */
    static String normalise(String sql) {
        String s = sql.strip();
        while (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        if (s.contains(";") || s.contains("--") || s.contains("/*") || s.length() > 1000) {
            return null;
        }
        StringBuilder out = new StringBuilder(s.length());
        boolean quoted = false;
        boolean space = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            }
            if (!quoted && Character.isWhitespace(c)) {
                space = true;
                continue;
            }
            if (space && out.length() > 0) {
                out.append(' ');
            }
            space = false;
            out.append(quoted ? c : Character.toLowerCase(c));
        }
        return out.toString().replace("( ", "(").replace(" )", ")").replace(" ,", ",");
    }

    private static String unquote(String value) {
        String v = value.strip();
        if (v.length() >= 2 && (v.startsWith("'") && v.endsWith("'") || v.startsWith("\"") && v.endsWith("\""))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    // ------------------------------------------------------------------ settings

    /**
     * The client settings a session may change, each with what the proxy accepts: they change how the front end
     * talks, never what the backend does, so only values the front end honours are taken.
     */
    static String checkSetting(String name, String value) {
        String v = value.strip();
        FixedSetting fixed = FIXED_SETTINGS.get(name);
        if (fixed != null) {
            if (!fixed.accepts().test(v.toLowerCase(Locale.ROOT))) {
                throw invalid(name, v, fixed.why());
            }
            return fixed.value();
        }
        return switch (name) {
            case "application_name", "extra_float_digits", "client_min_messages", "default_transaction_isolation",
                 "transaction_isolation", "default_transaction_read_only", "transaction_read_only",
                 "default_transaction_characteristics" -> v;
            default -> throw ProxyError.of(ErrorCode.SETTING_NOT_SUPPORTED, "SET " + name
                    + " is not supported by the proxy (a client can set " + String.join(", ", SETTABLE) + ")");
        };
    }

    /** A setting whose value the front end fixes: which spellings (lower case) mean it, and why no other is taken. */
    record FixedSetting(java.util.function.Predicate<String> accepts, String value, String why) {
        static FixedSetting oneOf(String value, String why, String... spellings) {
            return new FixedSetting(List.of(spellings)::contains, value, why);
        }
    }

    Map<String, FixedSetting> FIXED_SETTINGS = Map.of(
            "client_encoding", FixedSetting.oneOf("UTF8", "only UTF8 is supported", "utf8", "utf-8", "unicode"),
            "datestyle", new FixedSetting(v -> v.contains("iso"), "ISO, MDY", "only ISO dates are produced"),
            "timezone", FixedSetting.oneOf("UTC", "timestamps are produced in UTC", "utc", "gmt", "etc/utc", "z",
                    "zulu", "0", "+0", "+00", "+00:00", "local", "default"),
            "standard_conforming_strings", FixedSetting.oneOf("on", "strings always conform to the standard", "on",
                    "true"),
            "bytea_output", FixedSetting.oneOf("hex", "bytea is produced in hex", "hex"),
            "intervalstyle", FixedSetting.oneOf("postgres", "only the postgres style is produced", "postgres"));

    List<String> SETTABLE = List.of("application_name", "client_encoding", "DateStyle", "TimeZone",
            "extra_float_digits", "client_min_messages", "standard_conforming_strings", "bytea_output",
            "IntervalStyle", "default_transaction_isolation", "transaction_isolation", "default_transaction_read_only",
            "transaction_read_only");

    private static ProxyError invalid(String name, String value, String why) {
        return ProxyError.of(ErrorCode.INVALID_SETTING, "invalid value for parameter \"" + name + "\": \""
                + value + "\" (" + why + ")");
    }

    /** The settings a new session starts with; the names are those SHOW takes (lower case). */
    static Map<String, String> defaults(String applicationName, String searchPath) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("server_version", LocalStatements.SERVER_VERSION);
        s.put("server_encoding", "UTF8");
        s.put("client_encoding", "UTF8");
        s.put("datestyle", "ISO, MDY");
        s.put("timezone", "UTC");
        s.put("integer_datetimes", "on");
        s.put("standard_conforming_strings", "on");
        s.put("intervalstyle", "postgres");
        s.put("is_superuser", "off");
        s.put("application_name", applicationName);
        s.put("extra_float_digits", "1");
        s.put("client_min_messages", "notice");
        s.put("bytea_output", "hex");
        s.put("transaction_isolation", "read committed");
        s.put("default_transaction_isolation", "read committed");
        s.put("transaction_read_only", "off");
        s.put("default_transaction_read_only", "off");
        s.put("max_identifier_length", "63");
        s.put("search_path", searchPath);
        return s;
    }

    /** Settings drivers expect to hear about in ParameterStatus, under their canonical names. */
    Map<String, String> REPORTED = Map.of("server_version", "server_version", "server_encoding", "server_encoding",
            "client_encoding", "client_encoding", "datestyle", "DateStyle", "timezone", "TimeZone",
            "integer_datetimes", "integer_datetimes", "standard_conforming_strings", "standard_conforming_strings",
            "intervalstyle", "IntervalStyle", "is_superuser", "is_superuser", "application_name", "application_name");
}
