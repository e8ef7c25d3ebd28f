package com.akkio.dbproxy.server.frontend.pgwire;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;

/**
 * {@code COPY table [(columns)] FROM STDIN [WITH] [options]}, as psycopg2's {@code copy_expert}/{@code copy_from}
 * and pgjdbc's {@code CopyManager} send it: recognised on its whole text, its target kept as the client wrote it and
 * its columns quoted as PostgreSQL reads them (the policy decides them, as the INSERT the COPY amounts to). Every other COPY (TO, a file, a program,
 * a query) is not one of these and takes the governed path, where the policy denies it.
 */
record CopyCommand(String table, List<String> tableParts, List<String> columns, boolean csv, char delimiter,
                   String nullText, boolean header, char quote, char escape) {
    private static final String NAME = "(?:\"(?:[^\"]|\"\")+\"|[A-Za-z_][A-Za-z0-9_$]*)";
    private static final Pattern COPY = Pattern.compile("\\s*copy\\s+(" + NAME + "(?:\\s*\\.\\s*" + NAME
            + "){0,2})\\s*(?:\\(([^()]*)\\))?\\s*from\\s+stdin\\b\\s*(.*?)\\s*;?\\s*",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern PART = Pattern.compile(NAME);
    private static final Pattern OPTION = Pattern.compile("(" + NAME + ")(?:\\s+(?:as\\s+)?('(?:[^']|'')*'|"
            + NAME + "))?\\s*,?\\s*", Pattern.CASE_INSENSITIVE);

    /** The COPY FROM STDIN {@code sql} is, or null. */
    static CopyCommand recognise(String sql) {
        Matcher m = COPY.matcher(sql);
        if (!m.matches()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        Matcher p = PART.matcher(m.group(1));
        while (p.find()) {
            parts.add(p.group());
        }
        List<String> columns = new ArrayList<>();
        if (m.group(2) != null) {
            for (String c : m.group(2).split(",")) {
                String name = c.strip();
                if (!PART.matcher(name).matches()) {
                    return null;
                }
                // quoted as PostgreSQL reads it (unquoted: folded to lower case): the COPY is PostgreSQL's syntax,
                // the INSERT is the backend's, and DuckDB reserves names PostgreSQL does not (`at`, `asof`, `semi`)
                columns.add(quoted(identifier(name)));
            }
        }
        return options(m.group(1).strip(), parts, columns, m.group(3));
    }

    /** The options, PostgreSQL's {@code WITH (FORMAT csv, …)} or the older {@code WITH CSV HEADER DELIMITER ','}. */
    private static CopyCommand options(String table, List<String> parts, List<String> columns, String text) {
        String s = text.strip();
        if (s.regionMatches(true, 0, "with", 0, 4) && (s.length() == 4 || !Character.isLetterOrDigit(s.charAt(4)))) {
            s = s.substring(4).strip();
        }
        if (s.startsWith("(") && s.endsWith(")")) {
            s = s.substring(1, s.length() - 1).strip();
        }
        boolean csv = false;
        Character delimiter = null;
        String nullText = null;
        boolean header = false;
        Character quote = null;
        Character escape = null;
        Matcher m = OPTION.matcher(s);
        int at = 0;
        while (at < s.length()) {
            if (!m.find(at) || m.start() != at || m.end() == at) {
                throw unsupported("cannot read the COPY options '" + text.strip() + "'");
            }
            at = m.end();
            String option = m.group(1).toLowerCase(Locale.ROOT);
            String value = m.group(2) == null ? null : unquote(m.group(2));
            switch (option) {
                case "format" -> {
                    String f = value == null ? "" : value.toLowerCase(Locale.ROOT);
                    if (!f.equals("csv") && !f.equals("text")) {
                        throw unsupported("COPY format '" + value + "' is not supported (text and csv are)");
                    }
                    csv = f.equals("csv");
                }
                case "csv" -> csv = true;
                case "binary" -> throw unsupported("COPY in binary format is not supported (text and csv are)");
                case "header" -> header = value == null || !value.equalsIgnoreCase("false")
                        && !value.equalsIgnoreCase("off") && !value.equals("0");
                case "delimiter" -> delimiter = single(option, value);
                case "null" -> nullText = value;
                case "quote" -> quote = single(option, value);
                case "escape" -> escape = single(option, value);
                case "encoding" -> {
                    if (value == null || !value.replace("-", "").equalsIgnoreCase("utf8")) {
                        throw unsupported("COPY encoding '" + value + "' is not supported (UTF8 is)");
                    }
                }
                default -> throw unsupported("COPY option '" + option + "' is not supported");
            }
        }
        return new CopyCommand(table, List.copyOf(parts), List.copyOf(columns), csv,
                delimiter != null ? delimiter : csv ? ',' : '\t', nullText != null ? nullText : csv ? "" : "\\N",
                header, quote != null ? quote : '"', escape != null ? escape : quote != null ? quote : '"');
    }

    private static char single(String option, String value) {
        if (value == null || value.length() != 1) {
            throw unsupported("COPY " + option + " must be a single one-byte character");
        }
        return value.charAt(0);
    }

    private static String unquote(String v) {
        if (v.startsWith("'")) {
            return v.substring(1, v.length() - 1).replace("''", "'");
        }
        if (v.startsWith("\"")) {
            return v.substring(1, v.length() - 1).replace("\"\"", "\"");
        }
        return v;
    }

    private static ProxyError unsupported(String detail) {
        return ProxyError.of(ErrorCode.NOT_SUPPORTED, detail);
    }

    /**
     * The INSERT of {@code rows} rows this COPY amounts to, one parameter per column (none known: one, and no column
     * list): what the policy decides.
     */
    String insert(List<String> targetColumns, int rows) {
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table);
        if (!targetColumns.isEmpty()) {
            sql.append(" (").append(String.join(", ", targetColumns)).append(')');
        }
        StringBuilder tuple = new StringBuilder("(");
        for (int i = 0; i < Math.max(1, targetColumns.size()); i++) {
            tuple.append(i == 0 ? "?" : ", ?");
        }
        tuple.append(')');
        sql.append(" VALUES ");
        for (int r = 0; r < rows; r++) {
            sql.append(r == 0 ? "" : ", ").append(tuple);
        }
        return sql.toString();
    }

    /**
     * Rows per INSERT statement for {@code columns} columns: several (one backend round trip for each), but not
     * many: DuckDB binds a statement of text parameters in time that grows faster than its rows (measured: 64-row
     * statements insert some 4x the rows per second 2,000-row ones do), and the text stays well under a policy's
     * usual {@code max_sql_length}.
     */
    static int rowsPerStatement(int columns) {
        return Math.max(1, Math.min(64, 40_000 / (3 * Math.max(1, columns) + 4)));
    }

    /** A name as DuckDB and PostgreSQL compare it: quoted names as written, others lower case. */
    static String identifier(String part) {
        return part.startsWith("\"") ? part.substring(1, part.length() - 1).replace("\"\"", "\"")
                : part.toLowerCase(Locale.ROOT);
    }

    /** A column name quoted for the INSERT. */
    static String quoted(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
