package com.akkio.dbproxy.policy;

import static net.sf.jsqlparser.parser.CCJSqlParserConstants.EOF;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_DATETIMELITERAL;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.S_CHAR_LITERAL;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.S_DOUBLE;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.S_IDENTIFIER;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.S_LONG;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.S_QUOTED_IDENTIFIER;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.ST_SEMICOLON;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import net.sf.jsqlparser.parser.CCJSqlParserConstants;
import net.sf.jsqlparser.parser.CCJSqlParserTokenManager;
import net.sf.jsqlparser.parser.SimpleCharStream;
import net.sf.jsqlparser.parser.StringProvider;
import net.sf.jsqlparser.parser.Token;

/**
 * Cuts plain SQL text (ASCII words, numbers, simple strings and quoted names, the common operators, spaces and line
 * breaks) into the very tokens JSqlParser's lexer cuts it into: the same kinds, images and positions, linked the same
 * way and ended by an EOF token. Why: JSqlParser's lexer matches every token against its whole keyword table without
 * case, which costs more than {@link FastSelect}'s reading of the tokens.
 *
 * <p>A word's kind is the kind JSqlParser's own lexer gives that word alone (kept, so each word is lexed there once).
 * Anything this class does not know for sure how JSqlParser cuts is left to JSqlParser ({@link #lex} answers null):
 * comments, tabs and carriage returns (column counting), backslashes, double quotes in Databricks SQL (where
 * JSqlParser takes them for strings), any other character, a quote or other sign
 * glued to a word or number, a number with an exponent or glued to a letter, a run of operator signs that is not one
 * of the operators below, and words that start tokens of several words in JSqlParser's lexer ({@code NEXT VALUE FOR},
 * {@code CURRENT DATE}, {@code SIMILAR TO}, {@code TIMESTAMP WITH TIME ZONE}) or that are keywords neither the
 * reader nor a short list of common ones ({@link #GRAMMAR_KEYWORDS}) names. {@code FastLexerTest} holds it to
 * JSqlParser's lexer, token by token.
 */
final class FastLexer {
    private FastLexer() {
    }

    /**
     * A JSqlParser lexer per thread with its character stream, both set to each word in turn: a parser costs more to
     * build than the lexing, and a new stream allocates its buffers again.
     */
    private record Lexer(CCJSqlParserTokenManager tokens, SimpleCharStream chars) {
        Lexer(SimpleCharStream chars) {
            this(new CCJSqlParserTokenManager(chars), chars);
        }
    }

    private static final ThreadLocal<Lexer> LEXERS = ThreadLocal.withInitial(
            () -> new Lexer(new SimpleCharStream(new StringProvider(" "))));

    /**
     * A sign this lexer takes, with the kind JSqlParser's lexer gives it; its image is the string constant
     * {@link FastSelect} compares a token with, so that comparison finds the same object.
     */
    private record Sign(String image, int kind) {
    }

    /** The operators and signs this lexer takes, by their text. */
    private static final Map<String, Sign> SIGNS = new HashMap<>();
    /** The kinds of {@link #SIGNS}, by kind. */
    private static final boolean[] SIGN_KINDS = new boolean[CCJSqlParserConstants.tokenImage.length];
    /** The words JSqlParser's lexer takes for something else than a lone token of their own. */
    private static final Set<String> SEVERAL_WORDS = Set.of("NEXT", "NEXTVAL", "CURRENT", "SIMILAR");
    /**
     * Keywords the reader leaves to the grammar but that are common in analytic SQL (OFFSET): a text with them is
     * still cut here, and the grammar reads its tokens.
     */
    private static final Set<Integer> GRAMMAR_KEYWORDS = Set.of(CCJSqlParserConstants.K_OFFSET);
    /** Kinds of words seen, by the word as written; bounded, as tenants' names are not. */
    private static final Map<String, Integer> WORDS = new ConcurrentHashMap<>();
    private static final int MAX_WORDS = 20_000;

    static {
        for (String sign : List.of("(", ")", ",", ".", ";", "*", "+", "-", "/", "%", "=", "<", ">", "<=", ">=", "<>",
                "!=", "||", "?")) {
            int kind = kindAlone(sign);
            SIGNS.put(sign, new Sign(sign, kind));
            if (kind >= 0) {
                SIGN_KINDS[kind] = true;
            }
        }
    }

    /**
     * Whether tokens of {@code kind} are one of the signs this lexer takes: a token of any other kind has no such
     * image (JSqlParser's lexer gives an image the same kind wherever it stands), so its image need not be read.
     */
    static boolean isSignKind(int kind) {
        return kind >= 0 && kind < SIGN_KINDS.length && SIGN_KINDS[kind];
    }

    /**
     * The kind JSqlParser's lexer gives {@code text} as one token, or -1 when it is not one token. The lexer reads it
     * followed by {@code " ;"}, not at the end of its input: its stream signals the end by throwing an exception,
     * whose stack trace, deep under a server's request, cost more than the lexing (a new alias per query found it).
     */
    private static int kindAlone(String text) {
        try {
            Lexer lexer = LEXERS.get();
            lexer.chars().ReInit(new StringProvider(text + " ;"));
            lexer.tokens().ReInit(lexer.chars());
            Token t = lexer.tokens().getNextToken();
            return t.image.equals(text) && lexer.tokens().getNextToken().kind == ST_SEMICOLON ? t.kind : -1;
        } catch (RuntimeException | Error e) {
            LEXERS.remove();
            return -1;
        }
    }

    /** Whether JSqlParser's lexer reads {@code word} alone as a plain identifier, not a keyword. */
    static boolean isIdentifier(String word) {
        return wordKind(word) == S_IDENTIFIER;
    }

    /**
     * The kind of a word, or -1 for a word that may begin a token of several words. Kept by the word as written: the
     * lexer ignores case, and most texts write a word one way, which then needs no upper-case copy to be looked up.
     */
    private static int wordKind(String word) {
        Integer kind = WORDS.get(word);
        if (kind == null) {
            String upper = word.toUpperCase(Locale.ROOT);
            kind = SEVERAL_WORDS.contains(upper) ? -1 : kindAlone(upper);
            if (WORDS.size() >= MAX_WORDS) {
                WORDS.clear(); // names written once each (an alias per query) would fill it for good
            }
            WORDS.put(word, kind);
        }
        return kind;
    }

    /**
     * The tokens of {@code sql} as JSqlParser's lexer cuts them (EOF left out of the list, linked after the last), or
     * null when the text holds anything this lexer leaves to JSqlParser's.
     */
    static List<Token> lex(String sql, Dialect dialect) {
        List<Token> tokens = new ArrayList<>(Math.max(8, sql.length() / 5));
        int n = sql.length();
        int line = 1;
        int lineStart = 0;
        int i = 0;
        Token previous = null;
        while (true) {
            while (i < n && (sql.charAt(i) == ' ' || sql.charAt(i) == '\n')) {
                if (sql.charAt(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
                i++;
            }
            if (i >= n) {
                break;
            }
            char c = sql.charAt(i);
            int start = i;
            int kind;
            if (isWordStart(c)) {
                while (i < n && isWordPart(sql.charAt(i))) {
                    i++;
                }
                if (i < n && !endsWord(sql.charAt(i))) {
                    return null;
                }
                String word = sql.substring(start, i);
                kind = wordKind(word);
                if (kind < 0 || kind != S_IDENTIFIER && !FastSelect.readsKeyword(kind)
                        && !GRAMMAR_KEYWORDS.contains(kind)) {
                    return null;
                }
                if (kind == K_DATETIMELITERAL && !(i + 1 < n && sql.charAt(i) == ' ' && sql.charAt(i + 1) == '\'')
                        && !(i < n && sql.charAt(i) == ')')) {
                    return null; // DATE 'x' and the type in CAST(x AS DATE) only: DATE followed by more may be a
                                 // token of several words (TIMESTAMP WITH TIME ZONE)
                }
                previous = add(tokens, previous, kind, word, line, start - lineStart, i);
                continue;
            }
            if (c >= '0' && c <= '9') {
                while (i < n && isDigit(sql.charAt(i))) {
                    i++;
                }
                kind = S_LONG;
                if (i + 1 < n && sql.charAt(i) == '.' && isDigit(sql.charAt(i + 1))) {
                    i++;
                    while (i < n && isDigit(sql.charAt(i))) {
                        i++;
                    }
                    kind = S_DOUBLE;
                }
                if (i < n && !endsNumber(sql.charAt(i))) {
                    return null;
                }
                previous = add(tokens, previous, kind, sql.substring(start, i), line, start - lineStart, i);
                continue;
            }
            if (c == '\'' || c == '"' && dialect == Dialect.DUCKDB || c == '`') {
                i = quotedEnd(sql, i, c);
                if (i < 0 || i < n && !endsWord(sql.charAt(i))) {
                    return null;
                }
                kind = c == '\'' ? S_CHAR_LITERAL : S_QUOTED_IDENTIFIER;
                previous = add(tokens, previous, kind, sql.substring(start, i), line, start - lineStart, i);
                continue;
            }
            while (i < n && isSign(sql.charAt(i))) {
                i++;
            }
            if (i == start) {
                i++; // a bracket, comma, dot or semicolon stands alone
            }
            if ((c == '<' || c == '>') && i == start + 1 && operatorGoesOn(sql, i, c)) {
                return null; // "> =" and "< >" are one token to JSqlParser, white space and all
            }
            Sign sign = SIGNS.get(sql.substring(start, i));
            if (sign == null || sign.kind() < 0
                    || i < n && (c == '.' && (isDigit(sql.charAt(i)) || sql.charAt(i) == '.')
                    || c == '?' && isWordPart(sql.charAt(i)))) {
                return null; // .5 is a number, .. one token, ?2 a numbered parameter, to JSqlParser
            }
            previous = add(tokens, previous, sign.kind(), sign.image(), line, start - lineStart, i);
        }
        // JSqlParser's EOF token holds what was left in its lexer's buffer; nothing reads more than its kind
        if (previous == null) {
            return null; // no token: JSqlParser makes no lexer for a blank text
        }
        Token eof = new Token(EOF, "");
        eof.beginLine = line;
        eof.beginColumn = n - lineStart;
        eof.endLine = line;
        eof.endColumn = n - lineStart;
        previous.next = eof;
        return tokens;
    }

    private static Token add(List<Token> tokens, Token previous, int kind, String image, int line, int column,
                             int end) {
        Token t = new Token(kind, image);
        t.beginLine = line;
        t.beginColumn = column + 1;
        t.endLine = line;
        t.endColumn = column + image.length();
        t.absoluteEnd = end + 1; // JSqlParser's offsets count from 1
        t.absoluteBegin = end + 1 - image.length();
        if (previous != null) {
            previous.next = t;
        }
        tokens.add(t);
        return t;
    }

    /**
     * Where a quoted string or name that starts at {@code open} ends, or -1: a quote doubled inside is the quote
     * itself; a backslash, a line break or a missing end is left to JSqlParser.
     */
    private static int quotedEnd(String sql, int open, char quote) {
        for (int i = open + 1; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\\' || c == '\n' || c == '\r' || c > 0x7e || c < ' ') {
                return -1;
            }
            if (c == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    return -1; // a doubled quote: JSqlParser's handling of it differs by kind
                }
                return i + 1;
            }
        }
        return -1;
    }

    /** Whether white space at {@code from} is followed by what JSqlParser's lexer joins to {@code sign} over it. */
    private static boolean operatorGoesOn(String sql, int from, char sign) {
        int j = from;
        while (j < sql.length() && (sql.charAt(j) == ' ' || sql.charAt(j) == '\n')) {
            j++;
        }
        return j > from && j < sql.length() && (sql.charAt(j) == '=' || sign == '<' && sql.charAt(j) == '>');
    }

    private static boolean isWordStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
    }

    private static boolean isWordPart(char c) {
        return isWordStart(c) || isDigit(c);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** What may follow a word or a quoted token directly: space, a bracket, a comma, a dot, an operator. */
    private static boolean endsWord(char c) {
        return c == ' ' || c == '\n' || c == '(' || c == ')' || c == ',' || c == '.' || c == ';' || isSign(c);
    }

    private static boolean endsNumber(char c) {
        return c != '.' && endsWord(c);
    }

    private static boolean isSign(char c) {
        return c == '*' || c == '+' || c == '-' || c == '/' || c == '%' || c == '=' || c == '<' || c == '>'
                || c == '!' || c == '|' || c == '?';
    }
}
