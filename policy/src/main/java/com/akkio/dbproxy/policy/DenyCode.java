package com.akkio.dbproxy.policy;

/**
 * Stable reasons for a denial. The name is what logs, audit records and the {@code check} command print; the
 * SQLState and vendor code are what a JDBC client sees. Never renumber: clients and dashboards key on them.
 */
public enum DenyCode {
    SYNTAX_ERROR("42601", 1001),
    EMPTY_STATEMENT("42601", 1002),
    SQL_TOO_LONG("54000", 1003),
    MULTIPLE_STATEMENTS("42501", 1101),
    STATEMENT_KIND_DENIED("42501", 1102),
    UNSUPPORTED_CONSTRUCT("42501", 1103),
    /** A FOREIGN KEY on a DuckDB backend, which refuses every form the proxy could send (0A000: not supported). */
    FOREIGN_KEY_NOT_SUPPORTED("0A000", 1104),
    OBJECT_NOT_READABLE("42501", 1201),
    OBJECT_NOT_WRITABLE("42501", 1202),
    SYSTEM_OBJECT("42501", 1203),
    PATH_TABLE("42501", 1204),
    INVALID_NAME("42501", 1205),
    TYPE_DENIED("42501", 1206),
    TABLE_FUNCTION_DENIED("42501", 1301),
    FUNCTION_DENIED("42501", 1302),
    FUNCTION_NOT_ALLOWED("42501", 1303),
    AMBIGUOUS_LITERAL("42501", 1401),
    /** A write adds more rows than the policy's {@code max_write_rows} (54000: a limit, as SQL_TOO_LONG). */
    WRITE_ROWS_EXCEEDED("54000", 1501),
    /**
     * A filtered or masked table used where its view cannot govern it (a write, DESCRIBE/EXPLAIN, a stored view, time
     * travel), or whose view cannot be built now (its columns unknown, a rule naming a column it lacks).
     */
    FILTER_OR_MASK("42501", 1601);

    private final String sqlState;
    private final int vendorCode;

    DenyCode(String sqlState, int vendorCode) {
        this.sqlState = sqlState;
        this.vendorCode = vendorCode;
    }

    public String sqlState() {
        return sqlState;
    }

    public int vendorCode() {
        return vendorCode;
    }
}
