package com.akkio.dbproxy.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.parser.AbstractJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserConstants;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.parser.ParseException;
import net.sf.jsqlparser.parser.StringProvider;
import net.sf.jsqlparser.parser.Token;
import net.sf.jsqlparser.statement.Statements;

/**
 * Parses SQL text the way the tenant's backend lexes it, in the calling thread (JSqlParser's own helpers hand each
 * parse to an executor, which costs more than the parse of a small query).
 */
final class SqlParser {
    private SqlParser() {
    }

    /** Thrown for text that does not parse; the message says where, without parser internals. */
    static class SyntaxError extends Exception {
        SyntaxError(String message) {
            super(message, null, false, false);
        }
    }

    /** Thrown for text the backend's lexer would read differently from the parser's. */
    static final class Ambiguous extends SyntaxError {
        Ambiguous(String message) {
            super(message);
        }
    }

    /**
     * Checks where a token ends against where the backend would end it: a number glued to the word after it
     * ({@code 1.5ORDER}) is cut elsewhere by each lexer, and Spark's strings end at the first quote no backslash
     * escapes, which JSqlParser does not always find.
     */
    private static void checkExtent(String sql, Token t, int start, Token previous, int previousEnd, Dialect dialect)
            throws Ambiguous {
        boolean number = previous != null && (previous.kind == CCJSqlParserConstants.S_LONG
                || previous.kind == CCJSqlParserConstants.S_DOUBLE);
        if (number && previousEnd == start && !t.image.isEmpty() && LiteralShape.isWordChar(t.image.charAt(0))) {
            throw new Ambiguous("the number " + previous.image + " glued to " + t.image);
        }
        if (dialect == Dialect.DATABRICKS && t.kind == CCJSqlParserConstants.S_CHAR_LITERAL) {
            int quote = start;
            while (quote < start + t.image.length() && sql.charAt(quote) != '\'' && sql.charAt(quote) != '"') {
                quote++; // past a prefix (r, x, ...)
            }
            boolean raw = quote > start && Character.toLowerCase(sql.charAt(start)) == 'r';
            if (quote < sql.length()
                    && LiteralShape.quotedEnd(sql, quote, sql.charAt(quote), !raw) != start + t.image.length()) {
                throw new Ambiguous("the string literal " + t.image + ", which Spark ends elsewhere");
            }
        }
    }

    /** Spark's numbers with a type suffix (8S, 10L, 1Y, 2D, 3F, 4BD, 1E5D), which JSqlParser takes for names. */
    private static final java.util.regex.Pattern SPARK_NUMBER = java.util.regex.Pattern.compile(
            "(?i)\\d+(?:[lsydf]|bd|e\\d+(?:[df]|bd)?)");

    /** Teradata's abbreviations, which JSqlParser takes for the keyword and no backend the proxy serves does. */
    private static final Set<String> ABBREVIATIONS = Set.of("SEL", "INS", "UPD", "DEL");

    /**
     * The statements of a text, with what lexing it found: the keywords that give a statement its structure, in
     * their order ({@link #CENSUS}), and a quoted name the backend reads differently from the parser, or null.
     */
    record Parsed(Statements statements, List<String> census, String misreadName,
                  DatabricksSyntax.Normalised normalised, List<Token> tokens, boolean folded, boolean verbatim) {
    }

    /** The structural keywords of a text in their order ({@link #CENSUS}), from lexing it alone. */
    static List<String> census(String sql, Dialect dialect) throws SyntaxError {
        return lexWhole(sql, dialect).census();
    }

    /**
     * The tokens of a text as {@link #parse} has the parser read it (EOF left out; a Databricks text's analysis
     * text), after the same checks of how the backend would lex it.
     *
     * @throws Denial for a Databricks construct that is recognised and not allowed
     */
    static List<Token> tokens(String sql, Dialect dialect) throws SyntaxError {
        if (dialect == Dialect.DATABRICKS) {
            String difference = Lexing.difference(sql, dialect);
            if (difference != null) {
                throw new Ambiguous("the backend would lex " + difference + " differently");
            }
            return lexWhole(DatabricksSyntax.of(sql).analysed(), dialect).tokens();
        }
        return lexWhole(sql, dialect).tokens();
    }

    /**
     * Parses a whole text. A Databricks statement is parsed in its analysis text ({@link DatabricksSyntax}), which
     * JSqlParser reads where the tenant's text has constructs it lacks; the tenant's text is still lexed as Spark
     * lexes it.
     *
     * @throws Denial for a Databricks construct that is recognised and not allowed
     */
    static Parsed parse(String sql, Dialect dialect) throws SyntaxError {
        return parse(sql, dialect, false);
    }

    /**
     * {@link #parse(String, Dialect)}, where {@code fold} lets a DuckDB text's long runs of literals after IN reach
     * the parser as one literal each ({@link LiteralRuns}); the tree has them back whole. A parse that folded says so
     * ({@link Parsed#folded}): a decision made on it stands only where {@link RewriteProof} holds.
     */
    static Parsed parse(String sql, Dialect dialect, boolean fold) throws SyntaxError {
        return parse(sql, dialect, fold, true);
    }

    /**
     * {@link #parse(String, Dialect, boolean)}; {@code fast}: a statement of the common analytic shape is read by
     * {@link FastSelect} into the tree the grammar would build, without the grammar's lookaheads (false: always the
     * grammar, which its tests compare against).
     */
    static Parsed parse(String sql, Dialect dialect, boolean fold, boolean fast) throws SyntaxError {
        DatabricksSyntax.Normalised normalised = null;
        String text = sql;
        if (dialect == Dialect.DATABRICKS) {
            String difference = Lexing.difference(sql, dialect);
            if (difference != null) {
                throw new Ambiguous("the backend would lex " + difference + " differently");
            }
            normalised = DatabricksSyntax.of(sql);
            text = normalised.analysed();
        }
        // one lexing serves the checks and the parse: plain text is cut as JSqlParser's lexer would cut it
        // (FastLexer), any other is read through the parser's own lexer for lexWhole; either way the parser reads
        // those tokens (its token stream does not depend on the parse: the grammar never switches the lexer's state)
        List<Token> cut = fast ? FastLexer.lex(text, dialect) : null;
        CCJSqlParser parser = null;
        Lexed lexed;
        if (cut != null) {
            lexed = lexWhole(text, dialect, null, cut);
        } else {
            parser = newParser(text, dialect).withAllowComplexParsing(false);
            Token start = parser.token;
            lexed = lexWhole(text, dialect, parser);
            parser.token = start;
        }
        List<Token> tokens = lexed.tokens();
        LiteralRuns runs = fold && dialect == Dialect.DUCKDB ? LiteralRuns.fold(tokens) : null;
        Statements read = fast && runs == null ? FastSelect.parse(tokens) : null;
        if (read != null) {
            return new Parsed(read, lexed.census(), lexed.misreadName(), normalised, tokens, false, lexed.verbatim());
        }
        if (parser == null) {
            // a parser of the cut tokens has no text of its own: its lexer, reached past their EOF, is at the end,
            // as one that read the whole text is
            parser = newParser(dialect).withAllowComplexParsing(false);
            parser.token.next = tokens.get(0);
        }
        if (runs != null) {
            Statements folded = parseFolded(parser, runs);
            return folded != null
                    ? new Parsed(folded, lexed.census(), lexed.misreadName(), normalised, tokens, true,
                            lexed.verbatim())
                    : parse(sql, dialect, false, fast); // read as written, and as any failure is reported
        }
        Statements statements;
        try {
            try {
                statements = whole(CCJSqlParser::Statements, parser);
            } catch (ParseException simpleFailed) {
                // the parse in full; its tree points at the tokens of its own lexing, kept with it
                CCJSqlParser complex = newParser(text, dialect).withAllowComplexParsing(true);
                tokens = rewind(complex);
                try {
                    statements = whole(CCJSqlParser::Statements, complex);
                } catch (ParseException e) {
                    throw new SyntaxError(describe(e));
                }
            }
        } catch (StackOverflowError e) {
            throw new SyntaxError("statement nests too deeply to parse");
        } catch (Error | RuntimeException e) {
            throw new SyntaxError(firstSentence(e.getMessage()));
        }
        return new Parsed(statements, lexed.census(), lexed.misreadName(), normalised, tokens, false,
                lexed.verbatim());
    }

    /**
     * The statements of a parse with {@code runs} folded and then put back whole in the tree; null when that parse
     * failed in any way or a run was not found in its place. The tokens are given back in any case.
     */
    private static Statements parseFolded(CCJSqlParser parser, LiteralRuns runs) {
        Statements statements;
        try {
            statements = whole(CCJSqlParser::Statements, parser);
        } catch (ParseException | RuntimeException | Error e) {
            return null;
        } finally {
            runs.restore();
        }
        return runs.expand(statements) ? statements : null;
    }

    /** Reads every token through the parser (which keeps them linked), then sets it back to the start. */
    private static List<Token> rewind(CCJSqlParser parser) {
        Token start = parser.token;
        List<Token> tokens = new ArrayList<>();
        for (Token t = parser.getNextToken(); t.kind != CCJSqlParserConstants.EOF; t = parser.getNextToken()) {
            tokens.add(t);
        }
        parser.token = start;
        return tokens;
    }

    /**
     * Parses text that must be one whole expression, such as the body of a generated column that the statement's
     * parse kept as a string ({@link RawText}).
     */
    static Expression parseExpression(String text, Dialect dialect) throws SyntaxError {
        lexWhole(text, dialect);
        return parse(text, dialect, CCJSqlParser::Expression);
    }

    /** One way into the grammar: a production of {@link CCJSqlParser}. */
    private interface Production<T> {
        T parse(CCJSqlParser parser) throws ParseException;
    }

    private static <T> T parse(String sql, Dialect dialect, Production<T> production) throws SyntaxError {
        try {
            try {
                return whole(production, newParser(sql, dialect).withAllowComplexParsing(false));
            } catch (ParseException simpleFailed) {
                try {
                    return whole(production, newParser(sql, dialect).withAllowComplexParsing(true));
                } catch (ParseException e) {
                    throw new SyntaxError(describe(e));
                }
            }
        } catch (StackOverflowError e) {
            throw new SyntaxError("statement nests too deeply to parse");
        } catch (SyntaxError e) {
            throw e;
        } catch (Error | RuntimeException e) {
            // the lexer reports bad characters and unterminated literals as TokenMgrException (an Error)
            throw new SyntaxError(firstSentence(e.getMessage()));
        }
    }

    /** The production's result, provided the parser read the whole text. */
    private static <T> T whole(Production<T> production, CCJSqlParser parser) throws ParseException {
        T result = production.parse(parser);
        Token next = parser.getToken(1);
        if (next == null || next.kind != CCJSqlParserConstants.EOF) {
            throw new ParseException("text after the end: \"" + (next == null ? "" : next.image) + "\"");
        }
        return result;
    }

    /**
     * What lexing a whole text found besides its tokens; {@code verbatim}: every token's image is the text at its
     * place, with nothing but white space and comments between two of them (JSqlParser rewrites the image of a few
     * odd string literals).
     */
    private record Lexed(List<String> census, String misreadName, List<Token> tokens, boolean verbatim) {
    }

    /**
     * Lexes the whole text once and checks that the backend would cut it into the same tokens. JSqlParser's parser
     * treats a lexical error (an unclosed quote, as in {@code SELECT x')}) like the end of the input and returns the
     * statement before it, and takes some tokens no backend does; the rewrite re-emits the parser's reading, so it
     * would silently drop or change what the tenant wrote.
     */
    private static Lexed lexWhole(String sql, Dialect dialect) throws SyntaxError {
        // FastLexer cuts plain text into JSqlParser's very tokens (FastLexerTest), without its lexer's cost: a
        // deparse's census (PolicyEngine) is such a text
        List<Token> cut = FastLexer.lex(sql, dialect);
        return cut != null ? lexWhole(sql, dialect, null, cut) : lexWhole(sql, dialect, newParser(sql, dialect));
    }

    /** {@link #lexWhole(String, Dialect)} through {@code lexer}, a parser of {@code sql} that has read nothing yet. */
    private static Lexed lexWhole(String sql, Dialect dialect, CCJSqlParser lexer) throws SyntaxError {
        return lexWhole(sql, dialect, lexer, null);
    }

    /**
     * {@link #lexWhole(String, Dialect)} of the tokens {@code lexer} reads, or of {@code cut}, the tokens
     * {@link FastLexer} cut the text into (then {@code lexer} is null).
     */
    private static Lexed lexWhole(String sql, Dialect dialect, CCJSqlParser lexer, List<Token> cut)
            throws SyntaxError {
        List<String> census = new ArrayList<>();
        List<Token> tokens = new ArrayList<>(cut != null ? cut.size() : 16);
        String misread = null;
        boolean verbatim = true;
        try {
            Token previous = null;
            int previousEnd = -1;
            int at = 0;
            // the cut tokens are linked as the lexer links them, the last to an EOF token
            for (Token t = cut != null ? cut.get(0) : lexer.getNextToken(); t.kind != CCJSqlParserConstants.EOF;
                 previous = t, t = cut != null ? t.next : lexer.getNextToken()) {
                tokens.add(t);
                // where the token stands in the text: tokens come in order, with white space and comments between
                // (a cut token is the text at its offset, after spaces and line breaks only)
                int start = cut != null ? t.absoluteBegin - 1 : sql.indexOf(t.image, at);
                verbatim = verbatim && start >= 0 && onlySpaceAndComments(sql, at, start);
                if (start >= 0) {
                    at = start + t.image.length();
                    checkExtent(sql, t, start, previous, previousEnd, dialect);
                    previousEnd = at;
                } else {
                    previousEnd = -1;
                }
                boolean identifier = t.kind == CCJSqlParserConstants.S_IDENTIFIER;
                boolean quoted = t.kind == CCJSqlParserConstants.S_QUOTED_IDENTIFIER;
                if (!identifier && !quoted) {
                    String word = t.image.toUpperCase(java.util.Locale.ROOT);
                    if (ABBREVIATIONS.contains(word)) {
                        throw new SyntaxError(t.image + " at line " + t.beginLine + ", column " + t.beginColumn
                                + " is not a keyword of the backend");
                    }
                    if (CENSUS.contains(word)) {
                        census.add(word);
                    }
                }
                if (identifier && dialect == Dialect.DATABRICKS && SPARK_NUMBER.matcher(t.image).matches()) {
                    throw new SyntaxError("'" + t.image + "' at line " + t.beginLine + ", column " + t.beginColumn
                            + " is a number to Databricks SQL, not a name");
                }
                if (identifier && !isIdentifier(t.image, dialect)) {
                    throw new SyntaxError("'" + t.image + "' at line " + t.beginLine + ", column " + t.beginColumn
                            + " is no identifier to " + (dialect == Dialect.DUCKDB ? "DuckDB" : "Databricks SQL"));
                }
                if (previous == null && dialect == Dialect.DATABRICKS && t.image.equals(";")) {
                    // JSqlParser skips an empty statement first; Spark refuses it
                    throw new SyntaxError("a statement may not start with ';' in Databricks SQL");
                }
                if (quoted && misread == null) {
                    misread = misreadName(t.image, dialect);
                }
                if (previous != null && previous.kind == CCJSqlParserConstants.S_CHAR_LITERAL
                        && t.kind == CCJSqlParserConstants.S_CHAR_LITERAL) {
                    // the parser joins adjacent literals and drops a prefix on the way ('a'b'c' is 'ac')
                    throw new Ambiguous("adjacent string literals (" + previous.image + " " + t.image + ")");
                }
                if (previous != null && previous.image.equals("?") && t.kind == CCJSqlParserConstants.S_LONG) {
                    // the parser reads "? 2" as the numbered parameter ?2
                    throw new Ambiguous("a parameter marker followed by the number " + t.image);
                }
            }
        } catch (Error | RuntimeException e) {
            // the lexer reports bad characters and unterminated literals as TokenMgrException (an Error)
            throw new SyntaxError(firstSentence(e.getMessage()));
        }
        String difference = Lexing.difference(sql, dialect);
        if (difference != null) {
            throw new Ambiguous("the backend would lex " + difference + " differently");
        }
        return new Lexed(census, misread, tokens, verbatim);
    }

    /** True when {@code sql} from {@code from} to {@code to} holds only white space and whole comments. */
    private static boolean onlySpaceAndComments(String sql, int from, int to) {
        int i = from;
        while (i < to) {
            char c = sql.charAt(i);
            if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
                i++;
            } else if (sql.startsWith("--", i)) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? sql.length() : end + 1;
            } else if (sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? sql.length() : end + 2;
            } else {
                return false;
            }
        }
        return i == to;
    }

    /**
     * Keywords that give a statement its structure. The rewrite re-emits the parser's tree, which may add a LIMIT
     * or a wrapping SELECT ... FROM but otherwise has them as the text has them, in its order: JSqlParser keeps only
     * the last of two LIMIT clauses, for one, writes INSERT INTO and VALUES where the text had INSERT and VALUE, and
     * puts clauses written out of order (LIMIT 5 ORDER BY x) where they belong.
     */
    static final Set<String> CENSUS = Set.of("SELECT", "FROM", "WHERE", "JOIN", "ON", "USING", "GROUP",
            "HAVING", "ORDER", "LIMIT", "OFFSET", "FETCH", "UNION", "INTERSECT", "EXCEPT", "WITH", "VALUES", "WINDOW",
            "QUALIFY", "CASE", "WHEN", "THEN", "ELSE", "END", "AND", "OR", "IN", "EXISTS", "BETWEEN", "LIKE",
            "ILIKE", "OVER", "PARTITION", "FILTER", "DISTINCT", "LATERAL", "RETURNING", "SET", "INTO");

    /**
     * Why the backend reads a quoted name differently from the parser, or null: DuckDB refuses backticks, which the
     * rewrite would turn into double quotes, and the parser splits a quoted name holding a dot into several names.
     */
    private static String misreadName(String image, Dialect dialect) {
        if (dialect == Dialect.DUCKDB && image.startsWith("`")) {
            return "DuckDB does not quote names with backticks (" + image + ")";
        }
        if (image.indexOf('.') >= 0 && dialect == Dialect.DUCKDB) {
            // Databricks: one name to Spark; in a table's place it is denied (DatabricksRewrite), elsewhere (a
            // column, an alias) it names no object, and the rewrite sends it as written
            return "the quoted name " + image + " holds a dot: one name to the backend, several to the proxy's parser";
        }
        return null;
    }

    /**
     * An unquoted name as the backend's lexer takes it. DuckDB: a letter or an underscore first, then letters,
     * digits, underscores and dollars. Spark: ASCII letters, digits and underscores, in any order.
     */
    private static boolean isIdentifier(String image, Dialect dialect) {
        if (image.isEmpty()) {
            return false;
        }
        if (dialect == Dialect.DATABRICKS) {
            for (int i = 0; i < image.length(); i++) {
                char c = image.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')) {
                    return false;
                }
            }
            return true;
        }
        char first = image.charAt(0);
        if (!(isAsciiLetter(first) || first == '_' || first >= 0x80 && Character.isLetter(first))) {
            return false;
        }
        for (int i = 1; i < image.length(); i++) {
            char c = image.charAt(i);
            // ASCII first (letters, digits, _ and $), without Character's tables: most names are ASCII
            if (!isAsciiLetter(c) && !(c >= '0' && c <= '9') && c != '_' && c != '$'
                    && !(c >= 0x80 && Character.isLetterOrDigit(c))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static CCJSqlParser newParser(String sql, Dialect dialect) {
        return CCJSqlParserUtil.newParser(sql).withDialect(grammarDialect(dialect));
    }

    /** A parser with no text, to be handed tokens already cut. */
    private static CCJSqlParser newParser(Dialect dialect) {
        return new CCJSqlParser(new StringProvider("")).withDialect(grammarDialect(dialect));
    }

    /** The JSqlParser dialect a backend's text is parsed in. */
    static AbstractJSqlParser.Dialect grammarDialect(Dialect dialect) {
        return dialect == Dialect.DATABRICKS ? AbstractJSqlParser.Dialect.DATABRICKS
                : AbstractJSqlParser.Dialect.POSTGRESQL;
    }

    private static String describe(ParseException e) {
        Token t = e.currentToken == null ? null : e.currentToken.next;
        if (t == null) {
            return firstSentence(e.getMessage());
        }
        String near = t.kind == 0 ? "end of input" : "\"" + t.image + "\"";
        return "syntax error at line " + t.beginLine + ", column " + t.beginColumn + " near " + near;
    }

    private static String firstSentence(String message) {
        if (message == null || message.isBlank()) {
            return "syntax error";
        }
        String line = message.strip().lines().findFirst().orElse("syntax error");
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
