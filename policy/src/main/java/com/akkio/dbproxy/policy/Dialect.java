package com.akkio.dbproxy.policy;

import java.util.Objects;

/**
 * The SQL dialect of a tenant's backend. It decides how text is lexed (Databricks: backslash escapes in strings,
 * double quotes delimit strings, backticks delimit identifiers; DuckDB: standard strings, double-quoted identifiers)
 * and how rewritten names are quoted, so that the backend reads the statement exactly as the engine checked it.
 */
public enum Dialect {
    DATABRICKS('`'),
    DUCKDB('"');

    private final char identifierQuote;

    Dialect(char identifierQuote) {
        this.identifierQuote = identifierQuote;
    }

    /** Quotes one identifier for this dialect, doubling any embedded quote character. */
    public String quote(String identifier) {
        Objects.requireNonNull(identifier, "identifier");
        StringBuilder out = new StringBuilder(identifier.length() + 2).append(identifierQuote);
        for (int i = 0; i < identifier.length(); i++) {
            char c = identifier.charAt(i);
            if (c == identifierQuote) {
                out.append(c);
            }
            out.append(c);
        }
        return out.append(identifierQuote).toString();
    }

    public String quote(QualifiedName name) {
        Objects.requireNonNull(name, "name");
        return quote(name.catalog()) + "." + quote(name.schema()) + "." + quote(name.table());
    }
}
