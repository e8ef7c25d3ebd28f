package com.akkio.dbproxy.policy;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import net.sf.jsqlparser.parser.ASTNodeAccess;
import net.sf.jsqlparser.parser.CCJSqlParserConstants;
import net.sf.jsqlparser.parser.Node;
import net.sf.jsqlparser.parser.Token;

/**
 * Verifies a rewrite without parsing it again, where that can be proven from tokens: the rewritten text must lex to
 * exactly the tokens of the tenant's text that was parsed and checked (for Databricks: of their analysis texts,
 * {@link DatabricksSyntax}), except that (1) each object name and
 * schema-qualified column qualifier the analysis found is spelled, at the tokens where the parser read it, as its
 * quoted replacement, (2) the row cap is a {@code LIMIT n} after the last token, and (3) keywords may differ in case
 * and trailing semicolons may go (so a set operation sent as written, {@link RowCap#limitedAsWritten}, ends in the
 * tenant's own LIMIT). Everything else (a keyword the
 * deparser wrote differently, a clause moved or lost, brackets added, a comment, a write cap, the cap's wrapper
 * {@link RowCap#wrap}, inside whose brackets the parser can read the tenant's tokens otherwise) leaves the proof
 * undecided, and the rewrite is parsed again as before. Why this is as strong as the re-parse: SECURITY.md.
 */
final class RewriteProof {
    /** How often a rewrite was verified by this proof, for tests and benchmarks. */
    static final LongAdder PROVEN = new LongAdder();
    /** How many of those were proven without lexing the rewrite ({@link #matchesWithoutLexing}). */
    static final LongAdder WITHOUT_LEXING = new LongAdder();

    /** A name the rewrite replaces: the node the parser read it at, its parts (last first), and its replacement. */
    record Name(ASTNodeAccess node, List<String> parts, String replacement) {
    }

    /** How the rewrite caps the rows of a query. */
    enum Cap {
        /** Not at all: the statement is within the cap or no query. */
        NONE,
        /** {@code LIMIT n} appended to a query that had no LIMIT, OFFSET or FETCH. */
        APPEND
    }

    private record Span(Token last, String replacement) {
    }

    private RewriteProof() {
    }

    /**
     * True when {@code rewritten} provably differs from the parsed text only by {@code names} and {@code cap}; false
     * when that is not proven (the caller then verifies by parsing).
     *
     * @param original the tokens of the parsed text, the very objects the syntax tree points at
     * @param verbatim every token's image is the tenant's text at its place ({@link SqlParser.Parsed#verbatim}): the
     *                 rewrite may then be proven without lexing it ({@link #matchesWithoutLexing})
     */
    static boolean holds(List<Token> original, boolean verbatim, List<Name> names, String rewritten, Cap cap,
                         long maxRows, Dialect dialect) {
        if (original == null || names == null || rewritten.contains("--") || rewritten.contains("/*")) {
            return false; // no comment in what is sent: it could hold or hide tokens
        }
        Map<Token, Span> spans = locate(names);
        if (spans == null) {
            return false;
        }
        int end = statementEnd(original);
        if (verbatim && matchesWithoutLexing(original, end, spans, rewritten, cap, maxRows)) {
            PROVEN.increment();
            WITHOUT_LEXING.increment();
            return true;
        }
        List<Token> sent;
        try {
            // the same lexical checks as the parse of a rewrite: the backend would cut the text alike
            sent = SqlParser.tokens(rewritten, dialect);
        } catch (SqlParser.SyntaxError | Denial e) {
            return false;
        }
        int at = 0;
        int used = 0;
        for (int i = 0; i < end; i++) {
            Token o = original.get(i);
            Span span = spans.get(o);
            if (span != null) {
                used++;
                at = spell(sent, at, span.replacement());
                while (i < end && original.get(i) != span.last()) {
                    i++;
                }
                if (at < 0 || i == end) {
                    return false;
                }
            } else if (at >= sent.size() || !same(o, sent.get(at++))) {
                return false;
            }
        }
        if (used != spans.size()) {
            return false;
        }
        String rows = Long.toString(maxRows);
        if (cap == Cap.APPEND) {
            at = expect(sent, at, "LIMIT", rows);
        }
        if (at != sent.size()) {
            return false;
        }
        PROVEN.increment();
        return true;
    }

    /**
     * The proof without lexing the rewrite (about a third of a first-time decision was that lexing): true when
     * {@code rewritten} is, character for character, the images of the parsed tokens in order (each name's tokens
     * replaced by its replacement; keywords in any case) with only plain white space between them, and white space
     * between every two of them except where one of them is a bracket or a comma, or a dot joins two names. Each image
     * was cut as one token of that kind from the tenant's text by JSqlParser and by the backend (the lexical checks of
     * the parse); an image followed by white space instead of what followed it there is cut alike, since no lexer of
     * the three extends a finished token across white space (a string continued across a line break needs two string
     * literals in a row, which the parse refuses); and an image touching a bracket, a comma (single-character tokens
     * to all three) or a dot between names is cut as it would be apart. So the backend reads exactly the tokens the
     * lexing would have returned. False leaves the proof to the lexing: the rewrite may still be proven there.
     */
    private static boolean matchesWithoutLexing(List<Token> original, int end, Map<Token, Span> spans,
                                                String rewritten, Cap cap, long maxRows) {
        int at = 0;
        int used = 0;
        String before = null; // the previous image, null at the start
        boolean beforeName = false;
        for (int i = 0; i < end; i++) {
            Token o = original.get(i);
            Span span = spans.get(o);
            String image;
            boolean name;
            boolean keyword;
            if (span != null) {
                used++;
                image = span.replacement();
                name = true;
                keyword = false;
                while (i < end && original.get(i) != span.last()) {
                    i++;
                }
                if (i == end) {
                    return false;
                }
            } else {
                image = o.image;
                name = isName(o);
                keyword = !name && isWord(image);
            }
            int start = skipSpace(rewritten, at);
            if (before != null && start == at && !mayTouch(before, beforeName, image, name)) {
                return false;
            }
            if (image.isEmpty() || !rewritten.regionMatches(keyword, start, image, 0, image.length())) {
                return false;
            }
            at = start + image.length();
            before = image;
            beforeName = name;
        }
        if (used != spans.size()) {
            return false;
        }
        if (cap == Cap.APPEND) {
            for (String image : new String[] {"LIMIT", Long.toString(maxRows)}) {
                int start = skipSpace(rewritten, at);
                if (start == at || !rewritten.regionMatches(true, start, image, 0, image.length())) {
                    return false;
                }
                at = start + image.length();
            }
        }
        return skipSpace(rewritten, at) == rewritten.length();
    }

    /** Where the statement's tokens end: trailing semicolons left out (the deparser writes one statement without). */
    static int statementEnd(List<Token> tokens) {
        int end = tokens.size();
        while (end > 0 && tokens.get(end - 1).image.equals(";")) {
            end--;
        }
        return end;
    }

    /** An unquoted or quoted name to JSqlParser's lexer, not a keyword. */
    private static boolean isName(Token t) {
        return t.kind == CCJSqlParserConstants.S_IDENTIFIER || t.kind == CCJSqlParserConstants.S_QUOTED_IDENTIFIER;
    }

    private static int skipSpace(String text, int at) {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
                break;
            }
            at++;
        }
        return at;
    }

    /**
     * Whether two tokens written with nothing between them are still cut as apart: a bracket or comma on either side
     * (no token of DuckDB's lexer or JSqlParser's holds one outside a literal or comment), or a dot after a name and
     * before a name or a star (neither name starting with a digit, so no number can form).
     */
    private static boolean mayTouch(String left, boolean leftName, String right, boolean rightName) {
        if (isPunctuation(left) || isPunctuation(right)) {
            return true;
        }
        if (right.equals(".")) {
            return leftName && !Character.isDigit(left.charAt(0));
        }
        return left.equals(".") && (right.equals("*") || rightName && !Character.isDigit(right.charAt(0)));
    }

    private static boolean isPunctuation(String image) {
        return image.length() == 1 && (image.charAt(0) == '(' || image.charAt(0) == ')' || image.charAt(0) == ',');
    }

    /** Where each name starts among the parsed tokens and where it ends; null when one cannot be found. */
    private static Map<Token, Span> locate(List<Name> names) {
        Map<Token, Span> spans = new IdentityHashMap<>();
        for (Name name : names) {
            Node ast = name.node().getASTNode();
            Token first = ast == null ? null : ast.jjtGetFirstToken();
            if (first == null) {
                return null;
            }
            StringBuilder expected = new StringBuilder();
            for (int i = name.parts().size() - 1; i >= 0; i--) {
                expected.append(name.parts().get(i)).append(i > 0 ? "." : "");
            }
            StringBuilder seen = new StringBuilder();
            Token t = first;
            while (t != null && t.kind != CCJSqlParserConstants.EOF) {
                if (inCensus(t)) {
                    // the parser read a structural keyword as part of a name (`s./* c */ FROM t`): the census the
                    // proof stands in for would count it in the text and not in the rewrite, so the re-parse decides
                    return null;
                }
                seen.append(t.image);
                if (seen.length() >= expected.length() || !startsWith(expected, seen)) {
                    break;
                }
                t = t.next;
            }
            if (t == null || !seen.toString().contentEquals(expected)
                    || spans.put(first, new Span(t, name.replacement())) != null) {
                return null;
            }
        }
        return spans;
    }

    /** A token the census counts ({@link SqlParser#CENSUS}): a structural keyword, not a name. */
    private static boolean inCensus(Token t) {
        return !isName(t) && SqlParser.CENSUS.contains(t.image.toUpperCase(java.util.Locale.ROOT));
    }

    private static boolean startsWith(StringBuilder whole, StringBuilder prefix) {
        return whole.length() >= prefix.length() && whole.substring(0, prefix.length()).contentEquals(prefix);
    }

    /** The index after the tokens from {@code at} whose images spell {@code text}, or -1. */
    private static int spell(List<Token> tokens, int at, String text) {
        int done = 0;
        while (at < tokens.size() && done < text.length()) {
            String image = tokens.get(at++).image;
            if (!text.startsWith(image, done) || image.isEmpty()) {
                return -1;
            }
            done += image.length();
        }
        return done == text.length() ? at : -1;
    }

    /** The index after {@code images} found in order from {@code at} (keywords in any case), or -1. */
    private static int expect(List<Token> tokens, int at, String... images) {
        if (at < 0) {
            return -1;
        }
        for (String image : images) {
            if (at >= tokens.size() || !tokens.get(at++).image.equalsIgnoreCase(image)) {
                return -1;
            }
        }
        return at;
    }

    /**
     * The same token to the parser: the same kind and text, where a keyword's text may differ in case (keywords are
     * matched without case by the parser and by both backends).
     */
    private static boolean same(Token a, Token b) {
        if (a.kind != b.kind) {
            return false;
        }
        if (a.image.equals(b.image)) {
            return true;
        }
        return !isName(a) && isWord(a.image) && a.image.equalsIgnoreCase(b.image);
    }

    private static boolean isWord(String image) {
        if (image.isEmpty()) {
            return false;
        }
        for (int i = 0; i < image.length(); i++) {
            char c = image.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_')) {
                return false;
            }
        }
        return true;
    }
}
