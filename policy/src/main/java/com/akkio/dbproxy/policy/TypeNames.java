package com.akkio.dbproxy.policy;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import net.sf.jsqlparser.statement.create.table.ColDataType;

/**
 * Data types a statement may name: the backend's built-in types only. The parser keeps a type as text, and a type
 * name is a lookup in the backend's catalog: {@code 1::"globex_prod"."sales"."mood"} names another tenant's type,
 * {@code 'x'::regclass} looks a relation up by name. So a type is read with a small grammar (name words, numeric
 * arguments, element and field types of ARRAY, LIST, MAP, STRUCT, ROW and UNION, ENUM labels) and every word in a
 * type position must be a built-in type word of the tenant's dialect; anything else is {@link DenyCode#TYPE_DENIED}.
 */
final class TypeNames {
    /** DuckDB 1.4's {@code duckdb_types()} of the system catalog, without the object-identifier type {@code oid}. */
    private static final Set<String> DUCKDB = Set.of("bigint", "bignum", "binary", "bit", "bitstring", "blob", "bool",
            "boolean", "bpchar", "bytea", "char", "date", "datetime", "dec", "decimal", "double", "enum", "float",
            "float4", "float8", "guid", "hugeint", "int", "int1", "int128", "int16", "int2", "int32", "int4", "int64",
            "int8", "integer", "integral", "interval", "json", "list", "logical", "long", "map", "null", "numeric",
            "nvarchar", "real", "row", "short", "signed", "smallint", "string", "struct", "text", "time", "time_ns",
            "timestamp", "timestamp_ms", "timestamp_ns", "timestamp_s", "timestamp_us", "timestamptz", "timetz",
            "tinyint", "ubigint", "uhugeint", "uint128", "uint16", "uint32", "uint64", "uint8", "uinteger", "union",
            "usmallint", "utinyint", "uuid", "varbinary", "varchar", "variant", "varint", "character");
    /** Databricks SQL's data types (the SQL language reference, "Data types"), with their documented synonyms. */
    private static final Set<String> DATABRICKS = Set.of("bigint", "long", "binary", "boolean", "date", "decimal",
            "dec", "numeric", "double", "float", "real", "int", "integer", "interval", "void", "smallint", "short",
            "string", "timestamp", "timestamp_ltz", "timestamp_ntz", "tinyint", "byte", "array", "map", "struct",
            "variant", "char", "varchar", "character");
    /** Words that continue a type's name: {@code DOUBLE PRECISION}, {@code TIMESTAMP WITH TIME ZONE}, intervals. */
    private static final Set<String> MODIFIERS = Set.of("with", "without", "time", "zone", "precision", "varying",
            "local", "year", "month", "day", "hour", "minute", "second", "to");
    private static final Set<String> FIELD_TYPES = Set.of("struct", "row", "union");

    private final Dialect dialect;
    private final String text;
    private final List<RawText.Token> tokens;
    private int at;

    private TypeNames(Dialect dialect, String text) {
        this.dialect = dialect;
        this.text = text;
        this.tokens = RawText.lex(text, dialect, "ColDataType");
    }

    /** Denies a type that is not built from the dialect's built-in types. */
    static void check(ColDataType type, Dialect dialect) {
        StringBuilder text = new StringBuilder(type.getDataType() == null ? "" : type.getDataType());
        List<String> arguments = type.getArgumentsStringList();
        if (arguments != null && !arguments.isEmpty()) {
            text.append(" (").append(String.join(", ", arguments)).append(')');
        }
        checkText(text.toString(), dialect);
    }

    /** Denies a type written as text (also a complex type the statement's parse did not read) unless built-in. */
    static void checkText(String text, Dialect dialect) {
        TypeNames reader = new TypeNames(dialect, text);
        if (reader.tokens.isEmpty()) {
            throw reader.denied("an empty type");
        }
        reader.type();
        if (reader.at != reader.tokens.size()) {
            throw reader.denied("text after the type");
        }
    }

    private void type() {
        String first = word();
        skipNameWords();
        if (is('(')) {
            at++;
            if (FIELD_TYPES.contains(first)) {
                fields(')');
            } else if (first.equals("enum")) {
                labels();
            } else if (first.equals("map") || first.equals("list")) {
                types(')');
            } else {
                numbers();
            }
            expect(')');
            skipNameWords();
        } else if (is('<')) {
            at++;
            if (first.equals("struct")) {
                fields('>');
            } else if (first.equals("array") || first.equals("map")) {
                types('>');
            } else {
                throw denied("'<' after " + first);
            }
            expect('>');
        }
        while (is('[')) {
            at++;
            if (at < tokens.size() && tokens.get(at).kind() == RawText.Kind.NUMBER) {
                at++;
            }
            expect(']');
        }
    }

    private void fields(char close) {
        do {
            RawText.Token name = next();
            if (!name.isName()) {
                throw denied("a field name was expected");
            }
            if (is(':')) {
                at++;
            }
            type();
        } while (comma(close));
    }

    private void types(char close) {
        do {
            type();
        } while (comma(close));
    }

    private void labels() {
        do {
            if (next().kind() != RawText.Kind.STRING) {
                throw denied("ENUM labels must be string literals");
            }
        } while (comma(')'));
    }

    private void numbers() {
        do {
            if (next().kind() != RawText.Kind.NUMBER) {
                throw denied("type arguments must be numbers");
            }
        } while (comma(')'));
    }

    private boolean comma(char close) {
        if (at < tokens.size() && tokens.get(at).kind() == RawText.Kind.COMMA) {
            at++;
            return true;
        }
        if (!is(close)) {
            throw denied("'" + close + "' was expected");
        }
        return false;
    }

    /** The next word, lower case, which must be a built-in type name. */
    private String word() {
        RawText.Token t = next();
        String word = lower(t);
        if (t.kind() != RawText.Kind.WORD || !builtIn().contains(word)) {
            throw denied("'" + t.text(text) + "' is not a built-in type of " + dialectName());
        }
        return word;
    }

    /** Skips the words that continue a type's name ({@code PRECISION}, {@code WITH TIME ZONE}, {@code VARYING}). */
    private void skipNameWords() {
        while (at < tokens.size() && tokens.get(at).kind() == RawText.Kind.WORD) {
            String word = lower(tokens.get(at));
            if (!MODIFIERS.contains(word) && !builtIn().contains(word)) {
                throw denied("'" + tokens.get(at).text(text) + "' is not a built-in type of " + dialectName());
            }
            at++;
        }
    }

    private Set<String> builtIn() {
        return dialect == Dialect.DATABRICKS ? DATABRICKS : DUCKDB;
    }

    private boolean is(char c) {
        if (at >= tokens.size()) {
            return false;
        }
        RawText.Token t = tokens.get(at);
        return t.end() - t.start() == 1 && text.charAt(t.start()) == c;
    }

    private void expect(char c) {
        if (!is(c)) {
            throw denied("'" + c + "' was expected");
        }
        at++;
    }

    private RawText.Token next() {
        if (at >= tokens.size()) {
            throw denied("the type ends too early");
        }
        return tokens.get(at++);
    }

    private String lower(RawText.Token t) {
        return t.text(text).toLowerCase(Locale.ROOT);
    }

    private String dialectName() {
        return dialect == Dialect.DATABRICKS ? "Databricks SQL" : "DuckDB";
    }

    private Denial denied(String why) {
        return new Denial(DenyCode.TYPE_DENIED, "type " + RawText.abbreviate(text) + " is not allowed: " + why
                + " (rule: built-in types of " + dialectName() + " only; qualified, user-defined and"
                + " object-identifier types are denied)");
    }
}
