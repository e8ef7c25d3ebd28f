package com.akkio.dbproxy.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Text the parser keeps as strings instead of syntax nodes. JSqlParser stores the body of a generated column
 * ({@code AS (current_setting('x'))}), column option tokens ({@code CHECK (...)}), index and partition specs, type
 * names and time travel clauses as strings or lists of strings, and its deparser emits them verbatim: the backend
 * runs whatever they say. So every string the walk meets is read here, according to what its field holds, and is
 * either shown to be inert, handed back as expression text that the analyzer parses and checks like any other
 * expression, or denied.
 *
 * <p>What a field holds is looked up by its declaring class and name ({@link #holds}); a field not listed is
 * {@link Holds#TEXT}, the strictest reading, so a construct added by a new parser version is analysed, not trusted.
 * {@code RawTextFieldsTest} enumerates every text field of every syntax node class and proves each one is analysed
 * or denied.
 */
final class RawText {
    /** What a text field holds, which decides how it is read. */
    enum Holds {
        /** The inside of a literal, emitted between quotes by its node: never lexed ({@code StringValue.value}). */
        LITERAL,
        /** An operator: punctuation only ({@code ->}, {@code <=}, the dot between name parts). */
        OPERATOR,
        /** Names and keywords: words, quoted identifiers, plain literals; no brackets, no operators. */
        NAME,
        /** A data type: checked by {@link TypeNames} on the whole {@code ColDataType}. */
        TYPE,
        /** A bind parameter's marker: {@code ?}, PostgreSQL's {@code $} (of {@code $1}) or {@code :} of a name. */
        PARAMETER_MARK,
        /** A time travel clause: {@code VERSION AS OF} or {@code TIMESTAMP AS OF} and one expression, no other form. */
        TIME_TRAVEL,
        /**
         * A niladic function the parser keeps as its text ({@code current_date()}, {@code CURRENT_TIMESTAMP}): one
         * word, optionally with empty brackets; the analyzer checks the word as a function.
         */
        KEYWORD_CALL,
        /** Anything else: keywords, literals and expressions, the expressions parsed and analysed. */
        TEXT
    }

    private static final java.util.Set<String> PARAMETER_MARKS = java.util.Set.of("?", "$", ":");

    private static final Map<String, Holds> FIELDS = Map.ofEntries(
            Map.entry("StringValue.value", Holds.LITERAL),
            Map.entry("StringValue.quoteStr", Holds.LITERAL),
            // the prefix (E, r, x, ...) is a word glued to the quote; checkLiteral reads it with the value
            Map.entry("StringValue.prefix", Holds.LITERAL),
            Map.entry("ComparisonOperator.operator", Holds.OPERATOR),
            Map.entry("JsonOperator.op", Holds.OPERATOR),
            Map.entry("JsonExpression.idents", Holds.OPERATOR),
            Map.entry("Column.tableDelimiter", Holds.OPERATOR),
            Map.entry("Table.partDelimiters", Holds.OPERATOR),
            Map.entry("JdbcParameter.parameterCharacter", Holds.PARAMETER_MARK),
            Map.entry("JdbcNamedParameter.parameterCharacter", Holds.PARAMETER_MARK),
            Map.entry("VariableAssignment.operation", Holds.OPERATOR),
            Map.entry("JsonKeyValuePairSeparator.separator", Holds.OPERATOR),
            Map.entry("Column.columnName", Holds.NAME),
            Map.entry("Alias.name", Holds.NAME),
            Map.entry("Alias$AliasColumn.name", Holds.NAME),
            Map.entry("Table.partItems", Holds.NAME),
            Map.entry("Function.nameparts", Holds.NAME),
            Map.entry("AnalyticExpression.name", Holds.NAME),
            Map.entry("AnalyticExpression.windowName", Holds.NAME),
            Map.entry("WindowDefinition.windowName", Holds.NAME),
            Map.entry("ColumnDefinition.columnName", Holds.NAME),
            Map.entry("LambdaExpression.identifiers", Holds.NAME),
            Map.entry("NamedExpressionList.names", Holds.NAME),
            Map.entry("StructType.parameters", Holds.NAME),
            Map.entry("PostgresNamedFunctionParameter.name", Holds.NAME),
            Map.entry("OracleNamedFunctionParameter.name", Holds.NAME),
            Map.entry("RowGetExpression.columnName", Holds.NAME),
            Map.entry("Index.name", Holds.NAME),
            Map.entry("Index.type", Holds.NAME),
            Map.entry("NamedConstraint.indexName", Holds.NAME),
            Map.entry("Index$ColumnParams.columnName", Holds.NAME),
            Map.entry("CreateTable.columns", Holds.NAME),
            Map.entry("ForeignKeyReference.referencedColumnNames", Holds.NAME),
            Map.entry("ForeignKeyIndex.referencedColumnNames", Holds.NAME),
            Map.entry("AlterView.columnNames", Holds.NAME),
            Map.entry("ReturningOutputAlias.alias", Holds.NAME),
            // keywords: one word or a few, stored as written
            Map.entry("DescribeStatement.describeType", Holds.NAME),
            Map.entry("ExplainStatement.keyword", Holds.NAME),
            Map.entry("Drop.type", Holds.NAME),
            Map.entry("Drop.parameters", Holds.NAME),
            Map.entry("CastExpression.keyword", Holds.NAME),
            Map.entry("SetOperation.modifier", Holds.NAME),
            Map.entry("LateralSubSelect.prefix", Holds.NAME),
            Map.entry("TableFunction.prefix", Holds.NAME),
            Map.entry("Fetch.fetchParameters", Holds.NAME),
            Map.entry("IntervalExpression.intervalType", Holds.NAME),
            Map.entry("IntervalQualifier.leadingField", Holds.NAME),
            Map.entry("IntervalQualifier.trailingField", Holds.NAME),
            Map.entry("ExtractExpression.name", Holds.NAME),
            Map.entry("KeepExpression.name", Holds.NAME),
            Map.entry("AllColumns.exceptKeyword", Holds.NAME),
            Map.entry("JoinHint.keyword", Holds.NAME),
            Map.entry("Function.extraKeyword", Holds.NAME),
            Map.entry("Function$KeywordArgument.keyword", Holds.NAME),
            Map.entry("WindowElement$Exclusion.keyword", Holds.NAME),
            Map.entry("StructType.keyword", Holds.NAME),
            Map.entry("TranscodingFunction.keyword", Holds.NAME),
            Map.entry("RowConstructor.name", Holds.NAME),
            Map.entry("TimeKeyExpression.stringValue", Holds.KEYWORD_CALL),
            Map.entry("Table.timeTravelStr", Holds.TIME_TRAVEL),
            Map.entry("Table.timeTravelStrAfterAlias", Holds.TIME_TRAVEL),
            Map.entry("ColDataType.dataType", Holds.TYPE),
            Map.entry("ColDataType.argumentsStringList", Holds.TYPE));

    /**
     * Words before a bracketed group that are syntax, not a function name: the group is read on its own. After any
     * other word the word and the group must parse as one function call, so that the call's name is checked.
     */
    private static final Set<String> GROUP_KEYWORDS = Set.of("as", "check", "key", "by", "in", "default",
            "tblproperties", "options", "using", "on", "unique", "include", "with", "identity", "always",
            "not", "and", "or", "primary", "foreign", "references", "partition", "of", "zone", "precision",
            "varying");

    /** Words that begin or join statements: where text holds them outside an expression, it hides a statement. */
    private static final Set<String> STATEMENT_WORDS = Set.of("select", "from", "join", "table", "values", "insert",
            "update", "delete", "merge", "into", "exec", "execute", "call", "pragma", "copy", "attach", "union",
            "intersect", "except", "summarize", "describe", "show");

    private RawText() {
    }

    /** What one field holds; {@link Holds#TEXT} unless listed. */
    static Holds holds(Class<?> owner, String field) {
        String name = owner.getName();
        return FIELDS.getOrDefault(name.substring(name.lastIndexOf('.') + 1) + "." + field, Holds.TEXT);
    }

    /** The result of reading a text: expressions to parse and analyse, and its bare words. */
    record Reading(List<String> expressions, List<String> words) {
        static final Reading INERT = new Reading(List.of(), List.of());
    }

    /**
     * Reads one text of a field that holds {@code holds} ({@link Holds#TYPE} text is read by {@link TypeNames}).
     *
     * @param where names the field for a denial, as {@code ColumnDefinition.columnSpecs}
     * @throws Denial when the text is not what its field may hold, or cannot be read safely
     */
    static Reading read(String text, Holds holds, Dialect dialect, String where) {
        if (holds == Holds.LITERAL || text.isEmpty()) {
            return Reading.INERT;
        }
        if (holds == Holds.OPERATOR && text.equals(".")) {
            // the dot between the parts of every name: one dot, which an operator field may hold (lexed alike)
            return Reading.INERT;
        }
        if (holds == Holds.TIME_TRAVEL) {
            return timeTravel(text, dialect, where);
        }
        if (holds == Holds.KEYWORD_CALL) {
            if (keywordCall(text) == null) {
                throw cannot(text, where, "a function name with empty brackets was expected");
            }
            return Reading.INERT;
        }
        if (holds == Holds.PARAMETER_MARK) {
            if (!PARAMETER_MARKS.contains(text)) {
                throw cannot(text, where, "a parameter marker (?, $ or :) was expected");
            }
            return Reading.INERT;
        }
        if (holds == Holds.NAME && plainWord(text)) {
            // lex would cut it into one word or number, both inert: most names a walk reads, not lexed ('$' may
            // open a dollar-quoted string, so a text holding one is lexed)
            return Reading.INERT;
        }
        List<Token> tokens = lex(text, dialect, where);
        return switch (holds) {
            case OPERATOR -> {
                for (Token t : tokens) {
                    // a parameter's "$" (of $1) is a PARAMETER_MARK field, never an operator's
                    if (t.kind != Kind.OTHER && t.kind != Kind.DOT && t.kind != Kind.COMMA) {
                        throw cannot(text, where, "an operator was expected");
                    }
                }
                yield Reading.INERT;
            }
            case NAME -> {
                for (Token t : tokens) {
                    if (!t.isInert()) {
                        throw cannot(text, where, "a name was expected");
                    }
                }
                yield Reading.INERT;
            }
            default -> {
                List<String> expressions = new ArrayList<>();
                List<String> words = new ArrayList<>();
                readSequence(text, tokens, 0, tokens.size(), expressions, words, where);
                for (String word : words) {
                    if (STATEMENT_WORDS.contains(word.toLowerCase(Locale.ROOT))) {
                        throw cannot(text, where, "it holds a statement keyword outside an expression");
                    }
                }
                yield new Reading(expressions, words);
            }
        };
    }

    /**
     * Time travel as Databricks writes it, {@code VERSION AS OF <expression>} or {@code TIMESTAMP AS OF
     * <expression>}; the expression is handed back to be parsed and checked. Every other form ({@code FOR
     * SYSTEM_TIME AS OF}, {@code AT (...)}, {@code BEFORE (...)}) is denied: no backend the proxy serves runs it.
     */
    private static Reading timeTravel(String text, Dialect dialect, String where) {
        java.util.regex.Matcher m = TIME_TRAVEL.matcher(text);
        if (!m.matches()) {
            throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "time travel '" + abbreviate(text.strip())
                    + "' (" + where + ") is not supported (rule: time travel is VERSION AS OF or TIMESTAMP AS OF"
                    + " only)");
        }
        lex(m.group(1), dialect, where); // comments and open quotes are denied before the parser sees the text
        return new Reading(List.of(m.group(1)), List.of());
    }

    private static final java.util.regex.Pattern KEYWORD_CALL = java.util.regex.Pattern.compile(
            "([A-Za-z_]+)(?:\\(\\s*\\))?");

    /**
     * The function a {@link Holds#KEYWORD_CALL} text calls, lower case, or null for other text. Without this reading
     * the text {@code current_date()} parsed back into the node that holds it, and the walk never ended.
     */
    static String keywordCall(String text) {
        java.util.regex.Matcher m = KEYWORD_CALL.matcher(text);
        return m.matches() ? m.group(1).toLowerCase(Locale.ROOT) : null;
    }

    private static final java.util.regex.Pattern TIME_TRAVEL = java.util.regex.Pattern.compile(
            "(?is)\\s*(?:VERSION|TIMESTAMP)\\s+AS\\s+OF\\s+(\\S.*?)\\s*");

    /**
     * Reads tokens {@code [from, to)} that are not one expression as a whole (keywords, names, literals, bracketed
     * groups, calls); if an operator stands between them, they must be one expression after all.
     */
    private static void readSequence(String text, List<Token> tokens, int from, int to, List<String> expressions,
                                     List<String> words, String where) {
        int expressionsBefore = expressions.size();
        int wordsBefore = words.size();
        boolean operator = false;
        int i = from;
        while (i < to) {
            Token t = tokens.get(i);
            if (t.isName()) {
                int end = nameEnd(tokens, i, to);
                boolean single = end - i == 1 && t.kind == Kind.WORD;
                if (end < to && tokens.get(end).kind == Kind.OPEN) {
                    int close = matching(tokens, end, to, text, where);
                    if (single && GROUP_KEYWORDS.contains(t.text(text).toLowerCase(Locale.ROOT))) {
                        words.add(t.text(text));
                        readGroup(text, tokens, end, close, expressions, words);
                    } else {
                        // any other name before a group is a call: parsed with its name, so the name is checked
                        expressions.add(text.substring(t.start, tokens.get(close).end));
                    }
                    i = close + 1;
                } else {
                    if (single) {
                        words.add(t.text(text));
                    }
                    i = end;
                }
            } else if (t.kind == Kind.OPEN) {
                int close = matching(tokens, i, to, text, where);
                readGroup(text, tokens, i, close, expressions, words);
                i = close + 1;
            } else if (t.kind == Kind.CLOSE) {
                throw cannot(text, where, "its brackets do not balance");
            } else {
                operator |= t.kind == Kind.OTHER;
                i++;
            }
        }
        if (operator) {
            truncate(expressions, expressionsBefore);
            truncate(words, wordsBefore);
            expressions.add(text.substring(tokens.get(from).start, tokens.get(to - 1).end));
        }
    }

    /** A bracketed group: inert content is read word by word, anything else must be one expression. */
    private static void readGroup(String text, List<Token> tokens, int open, int close, List<String> expressions,
                                  List<String> words) {
        for (int k = open + 1; k < close; k++) {
            if (!tokens.get(k).isInert()) {
                expressions.add(text.substring(tokens.get(open).start, tokens.get(close).end));
                return;
            }
        }
        for (int k = open + 1; k < close; k++) {
            Token t = tokens.get(k);
            boolean qualified = k > open + 1 && tokens.get(k - 1).kind == Kind.DOT
                    || k + 1 < close && tokens.get(k + 1).kind == Kind.DOT;
            if (t.kind == Kind.WORD && !qualified) {
                words.add(t.text(text));
            }
        }
    }

    /** The index just past the (possibly qualified) name starting at {@code start}. */
    private static int nameEnd(List<Token> tokens, int start, int to) {
        int k = start + 1;
        while (k + 1 < to && tokens.get(k).kind == Kind.DOT && tokens.get(k + 1).isName()) {
            k += 2;
        }
        return k;
    }

    private static int matching(List<Token> tokens, int open, int to, String text, String where) {
        int depth = 0;
        for (int k = open; k < to; k++) {
            Kind kind = tokens.get(k).kind;
            if (kind == Kind.OPEN) {
                depth++;
            } else if (kind == Kind.CLOSE && --depth == 0) {
                return k;
            }
        }
        throw cannot(text, where, "its brackets do not balance");
    }

    private static <T> void truncate(List<T> list, int size) {
        while (list.size() > size) {
            list.remove(list.size() - 1);
        }
    }

    static Denial cannot(String text, String where, String why) {
        return new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "the proxy cannot analyse the text '" + abbreviate(text)
                + "' that the parser keeps verbatim (" + where + "): " + why);
    }

    static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 60) + "…";
    }

    enum Kind { WORD, QUOTED, STRING, NUMBER, OPEN, CLOSE, DOT, COMMA, OTHER }

    /** One token: {@code [start, end)} of the text. */
    record Token(Kind kind, int start, int end) {
        String text(String source) {
            return source.substring(start, end);
        }

        /** Tokens that compute nothing: names, keywords, literals and the punctuation between them. */
        boolean isInert() {
            return kind == Kind.WORD || kind == Kind.QUOTED || kind == Kind.STRING || kind == Kind.NUMBER
                    || kind == Kind.DOT || kind == Kind.COMMA;
        }

        boolean isName() {
            return kind == Kind.WORD || kind == Kind.QUOTED;
        }
    }

    /**
     * Splits text into tokens as the backend's lexer would: quoted identifiers and strings of the dialect (in
     * Databricks double quotes delimit strings and backslashes escape), DuckDB dollar-quoted strings, numbers, words,
     * brackets, and every other character on its own. A comment or an unterminated quote is denied: either would
     * swallow the text that follows it in the rewritten statement.
     */
    static List<Token> lex(String text, Dialect dialect, String where) {
        List<Token> tokens = new ArrayList<>();
        boolean databricks = dialect == Dialect.DATABRICKS;
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            char next = i + 1 < n ? text.charAt(i + 1) : '\0';
            int end;
            Kind kind;
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            } else if (c == '-' && next == '-' || c == '/' && next == '*') {
                throw cannot(text, where, "it holds a comment");
            } else if (c == '\'' || c == '"' || c == '`') {
                end = LiteralShape.quotedEnd(text, i, c, databricks && c != '`');
                if (end > n || end - i < 2 || text.charAt(end - 1) != c) {
                    throw cannot(text, where, "a quote is not closed");
                }
                kind = c == '\'' || c == '"' && databricks ? Kind.STRING : Kind.QUOTED;
                boolean prefixed = !tokens.isEmpty() && tokens.get(tokens.size() - 1).end == i
                        && tokens.get(tokens.size() - 1).kind == Kind.WORD;
                if (prefixed && text.substring(i, end).indexOf('\\') >= 0) {
                    // E'..' and r'..' read backslashes differently in the parser and the backend
                    throw cannot(text, where, "a prefixed string holds a backslash");
                }
            } else if (c == '$' && !databricks && dollarTagEnd(text, i) > 0) {
                int tagEnd = dollarTagEnd(text, i);
                int close = text.indexOf(text.substring(i, tagEnd), tagEnd);
                if (close < 0) {
                    throw cannot(text, where, "a quote is not closed");
                }
                end = close + (tagEnd - i);
                kind = Kind.STRING;
            } else if (c >= '0' && c <= '9' || c == '.' && next >= '0' && next <= '9') {
                end = i + 1;
                while (end < n && (LiteralShape.isWordChar(text.charAt(end)) || text.charAt(end) == '.'
                        || (text.charAt(end) == '+' || text.charAt(end) == '-')
                        && Character.toLowerCase(text.charAt(end - 1)) == 'e')) {
                    end++;
                }
                kind = Kind.NUMBER;
            } else if (LiteralShape.isWordChar(c)) {
                end = i + 1;
                while (end < n && LiteralShape.isWordChar(text.charAt(end))) {
                    end++;
                }
                kind = Kind.WORD;
            } else {
                end = i + 1;
                kind = switch (c) {
                    case '(' -> Kind.OPEN;
                    case ')' -> Kind.CLOSE;
                    case '.' -> Kind.DOT;
                    case ',' -> Kind.COMMA;
                    default -> Kind.OTHER;
                };
            }
            tokens.add(new Token(kind, i, end));
            i = end;
        }
        return tokens;
    }

    private static boolean plainWord(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** End of a dollar-quote tag ({@code $$} or {@code $tag$}) starting at {@code i}, or -1. */
    private static int dollarTagEnd(String text, int i) {
        int k = i + 1;
        while (k < text.length() && (Character.isLetter(text.charAt(k)) || text.charAt(k) == '_')) {
            k++;
        }
        return k < text.length() && text.charAt(k) == '$' ? k + 1 : -1;
    }
}
