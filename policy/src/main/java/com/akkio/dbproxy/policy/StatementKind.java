package com.akkio.dbproxy.policy;

import java.util.Locale;
import java.util.Objects;

/**
 * What a statement does, as far as governance is concerned. A tenant policy lists the kinds it may run; kinds the
 * engine cannot check object by object ({@link #isGovernable()} false) are never allowed, whatever a policy says.
 */
public enum StatementKind {
    QUERY(true),
    INSERT(true),
    CREATE_TABLE(true),
    CREATE_VIEW(true),
    /**
     * CREATE OR REPLACE TABLE or VIEW: drops what the name held, so a policy lists it apart from
     * {@link #CREATE_TABLE} and {@link #CREATE_VIEW}.
     */
    CREATE_OR_REPLACE(true),
    /**
     * An insert that can overwrite rows or a table: INSERT OR REPLACE, REPLACE INTO, UPSERT, INSERT … ON CONFLICT DO
     * UPDATE, ON DUPLICATE KEY UPDATE, INSERT OVERWRITE. Listed apart from {@link #INSERT}, which only adds rows.
     */
    INSERT_OR_REPLACE(true),
    MERGE(true),
    UPDATE(true),
    DELETE(true),
    TRUNCATE(true),
    /** DROP TABLE and DROP VIEW of writable objects (any other DROP is denied as a construct). */
    DROP(true),
    ALTER(true),
    /** DESCRIBE and EXPLAIN of a query: the objects they name are checked like reads. */
    DESCRIBE(true),
    /** SHOW ... : answered through the filtered JDBC metadata calls instead. */
    SHOW(false),
    /** USE, SET, RESET: would change the backend session the proxy relies on. */
    SESSION(false),
    /** COPY, ATTACH, DETACH, INSTALL, LOAD, PRAGMA, CALL, EXECUTE: engine commands outside the catalog model. */
    ENGINE(false),
    GRANT(false),
    OTHER(false);

    private final boolean governable;

    StatementKind(boolean governable) {
        this.governable = governable;
    }

    /** True where the engine extracts and checks every object the statement touches. */
    public boolean isGovernable() {
        return governable;
    }

    /** The spelling used in policy files and in JSON output: {@code create_table}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The kind a policy file names, case-insensitive, surrounding blanks ignored.
     *
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if no kind has that name
     */
    public static StatementKind fromConfigName(String name) {
        Objects.requireNonNull(name, "name");
        for (StatementKind kind : values()) {
            if (kind.configName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown statement kind '" + name + "'");
    }
}
