package com.akkio.dbproxy.policy;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One {@code catalog.schema.table} rule of a policy. Each part is a literal name or a glob where {@code *} matches
 * any run of characters; matching is case-insensitive, as object names are in Unity Catalog and DuckDB.
 */
public final class ObjectPattern {
    private final String text;
    private final Part catalog;
    private final Part schema;
    private final Part table;

    private ObjectPattern(String text, Part catalog, Part schema, Part table) {
        this.text = text;
        this.catalog = catalog;
        this.schema = schema;
        this.table = table;
    }

    /**
     * Parses {@code catalog.schema.table}, each part a name or glob.
     *
     * @throws NullPointerException     if {@code text} is null
     * @throws IllegalArgumentException if it does not have three non-empty parts
     */
    public static ObjectPattern parse(String text) {
        Objects.requireNonNull(text, "text");
        String[] parts = text.trim().toLowerCase(Locale.ROOT).split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException(
                    "object pattern '" + text + "' must have three parts: catalog.schema.table (use * as a wildcard)");
        }
        for (String part : parts) {
            if (part.isEmpty()) {
                throw new IllegalArgumentException("object pattern '" + text + "' has an empty part");
            }
        }
        return new ObjectPattern(text.trim(), Part.of(parts[0]), Part.of(parts[1]), Part.of(parts[2]));
    }

    public boolean matches(QualifiedName name) {
        return catalog.matches(name.catalog()) && schema.matches(name.schema()) && table.matches(name.table());
    }

    /** True when every object of {@code catalog.schema} would match, so the schema can be shown in metadata. */
    public boolean coversSchema(String catalogName, String schemaName) {
        return catalog.matches(catalogName) && schema.matches(schemaName);
    }

    public boolean matchesCatalog(String catalogName) {
        return catalog.matches(catalogName);
    }

    /** True when the table part is {@code *}: every object of the schema(s). */
    public boolean isWholeSchema() {
        return table.any;
    }

    /** True when the schema part is {@code *}: every schema of the catalog(s). */
    public boolean isAnySchema() {
        return schema.any;
    }

    /** The literal table name, or null where the table part is a glob. */
    public String literalTable() {
        return table.literal;
    }

    /** The literal catalog name, or null where the catalog part is a glob. */
    public String literalCatalog() {
        return catalog.literal;
    }

    /** The literal schema name, or null where the schema part is a glob. */
    public String literalSchema() {
        return schema.literal;
    }

    @Override
    public String toString() {
        return text;
    }

    private static final class Part {
        final boolean any;
        final String literal;
        final Pattern glob;

        private Part(boolean any, String literal, Pattern glob) {
            this.any = any;
            this.literal = literal;
            this.glob = glob;
        }

        static Part of(String part) {
            if (part.equals("*")) {
                return new Part(true, null, null);
            }
            if (part.indexOf('*') < 0) {
                return new Part(false, part, null);
            }
            StringBuilder regex = new StringBuilder();
            for (String piece : part.split("\\*", -1)) {
                if (regex.length() > 0) {
                    regex.append(".*");
                }
                regex.append(Pattern.quote(piece));
            }
            return new Part(false, null, Pattern.compile(regex.toString()));
        }

        boolean matches(String value) {
            if (any) {
                return true;
            }
            return literal != null ? literal.equals(value) : glob.matcher(value).matches();
        }
    }
}
