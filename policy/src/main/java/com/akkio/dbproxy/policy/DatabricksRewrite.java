package com.akkio.dbproxy.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import net.sf.jsqlparser.parser.ASTNodeAccess;
import net.sf.jsqlparser.parser.Node;
import net.sf.jsqlparser.parser.Token;
import net.sf.jsqlparser.schema.Table;

/**
 * The rewrite of a Databricks statement: the tenant's own text with each object name replaced by its quoted
 * physical name and each schema-qualified column qualifier by its table's name, comments removed, and Delta's
 * {@code @v} time travel written out ({@link DatabricksSyntax.Edit#kept}). Nothing else changes, so every construct
 * of Databricks SQL reaches the warehouse as written, including those JSqlParser's deparser would drop or those it
 * read only in the analysis text. Each name is found at the place the parser read it, and its tokens must spell the
 * name the parser returned; anything else is denied (fail closed).
 */
final class DatabricksRewrite {
    private final DatabricksSyntax.Normalised text;
    private final int[] lineStarts;
    private final List<DatabricksSyntax.Edit> edits = new ArrayList<>();

    DatabricksRewrite(DatabricksSyntax.Normalised text) {
        this.text = text;
        this.lineStarts = lineStarts(text.analysed());
        for (DatabricksSyntax.Edit e : text.edits()) {
            if (e.kept()) {
                edits.add(e);
            }
        }
    }

    /**
     * A quoted name holding a dot where the parser read a table ({@code `sales.orders`}), or null. Spark and Unity
     * Catalog read it as one name (which no Unity Catalog object can have); JSqlParser splits it into parts.
     */
    static String dottedName(Table table) {
        Node node = table.getASTNode();
        if (node == null) {
            return null;
        }
        Token last = node.jjtGetLastToken();
        for (Token t = node.jjtGetFirstToken(); t != null; t = t.next) {
            if (t.image != null && t.image.startsWith("`") && t.image.indexOf('.') >= 0) {
                return t.image;
            }
            if (t == last) {
                break;
            }
        }
        return null;
    }

    /** Replaces the name {@code parts} (as the parser returned them, last part first) read at {@code node}. */
    void replaceName(ASTNodeAccess node, List<String> parts, String replacement) {
        Node ast = node.getASTNode();
        if (ast == null || ast.jjtGetFirstToken() == null) {
            throw unlocated(String.join(".", parts));
        }
        List<String> written = new ArrayList<>(parts);
        java.util.Collections.reverse(written);
        String expected = String.join(".", written);
        Token first = ast.jjtGetFirstToken();
        StringBuilder seen = new StringBuilder();
        Token t = first;
        while (t != null && seen.length() < expected.length()) {
            seen.append(t.image);
            if (!expected.startsWith(seen.toString())) {
                break;
            }
            if (seen.length() == expected.length()) {
                int start = offset(first);
                int end = offset(t) + t.image.length();
                int from = text.toOriginal(start);
                int to = text.toOriginal(end - 1);
                if (from < 0 || to < 0 || !text.original().regionMatches(from, first.image, 0, first.image.length())
                        || !text.original().regionMatches(to + 1 - t.image.length(), t.image, 0, t.image.length())) {
                    throw unlocated(expected);
                }
                // a comment between the parts goes with the name
                edits.removeIf(e -> e.start() >= from && e.end() <= to + 1);
                edits.add(new DatabricksSyntax.Edit(from, to + 1, replacement, true));
                return;
            }
            t = t.next;
        }
        throw unlocated(expected);
    }

    /**
     * Puts {@code before} in front of the first token the parser read at {@code node} and {@code after} at the end of
     * the statement (the write cap's wrapper around a write's query, {@link WriteCap}); call after every name is
     * replaced. The query must be the statement's tail as the parser read it, so that what the analysis blanked
     * after its last token (a {@code TABLESAMPLE}, a comment) stays inside the wrapper, as part of the query.
     */
    void wrap(ASTNodeAccess node, String before, String after) {
        Node ast = node.getASTNode();
        if (ast == null || ast.jjtGetFirstToken() == null || ast.jjtGetLastToken() == null) {
            throw unplaced();
        }
        Token first = ast.jjtGetFirstToken();
        Token last = ast.jjtGetLastToken();
        int from = text.toOriginal(offset(first));
        if (from < 0 || !text.original().regionMatches(from, first.image, 0, first.image.length())
                || offset(last) + last.image.length() != DatabricksSyntax.statementEnd(text.analysed())) {
            throw unplaced();
        }
        int to = DatabricksSyntax.statementEnd(text.original());
        edits.add(new DatabricksSyntax.Edit(from, from, before, true));
        edits.add(new DatabricksSyntax.Edit(to, to, after, true));
    }

    /**
     * Puts {@code before} just inside the opening bracket of the bracketed query read at {@code node} and
     * {@code after} just inside its closing bracket (a MERGE's source query), so that whatever the analysis blanked
     * inside stays inside the wrapper.
     */
    void wrapInside(ASTNodeAccess node, String before, String after) {
        Node ast = node.getASTNode();
        Token open = ast == null ? null : ast.jjtGetFirstToken();
        if (open == null || !"(".equals(open.image)) {
            throw unplaced();
        }
        int depth = 0;
        for (Token t = open; t != null && t.image != null && !t.image.isEmpty(); t = t.next) {
            depth += "(".equals(t.image) ? 1 : ")".equals(t.image) ? -1 : 0;
            if (depth == 0) {
                int from = text.toOriginal(offset(open)) + 1;
                int to = text.toOriginal(offset(t));
                if (from <= 0 || to < from || text.original().charAt(from - 1) != '(' || text.original().charAt(to) != ')') {
                    throw unplaced();
                }
                edits.add(new DatabricksSyntax.Edit(from, from, before, true));
                edits.add(new DatabricksSyntax.Edit(to, to, after, true));
                return;
            }
        }
        throw unplaced();
    }

    /** Puts {@code before} and {@code after} around a table's name, once {@link #replaceName} replaced it. */
    void wrapName(ASTNodeAccess table, String before, String after) {
        Node ast = table.getASTNode();
        if (ast == null || ast.jjtGetFirstToken() == null) {
            throw unplaced();
        }
        int from = text.toOriginal(offset(ast.jjtGetFirstToken()));
        for (DatabricksSyntax.Edit e : List.copyOf(edits)) {
            if (e.start() == from && e.end() > from) {
                edits.add(new DatabricksSyntax.Edit(from, from, before, true));
                edits.add(new DatabricksSyntax.Edit(e.end(), e.end(), after, true));
                return;
            }
        }
        throw unplaced();
    }

    /** The tenant's text with every replacement and kept edit made, up to its last token (trailing ; cut). */
    String result() {
        // an insertion (wrap) goes before a replacement starting at the same place
        edits.sort(Comparator.comparingInt(DatabricksSyntax.Edit::start)
                .thenComparingInt(DatabricksSyntax.Edit::end));
        String sql = text.original();
        StringBuilder out = new StringBuilder(sql.length() + 64);
        int at = 0;
        for (DatabricksSyntax.Edit e : edits) {
            if (e.start() < at) {
                throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "the statement cannot be rewritten faithfully:"
                        + " two edits overlap");
            }
            out.append(sql, at, e.start()).append(e.replacement());
            at = e.end();
        }
        out.append(sql, at, sql.length());
        String rewritten = out.toString();
        return rewritten.substring(0, DatabricksSyntax.statementEnd(rewritten)).strip();
    }

    private int offset(Token t) {
        if (t.beginLine < 1 || t.beginLine > lineStarts.length) {
            throw unlocated(t.image);
        }
        int offset = lineStarts[t.beginLine - 1] + t.beginColumn - 1;
        if (offset < 0 || !text.analysed().regionMatches(offset, t.image, 0, t.image.length())) {
            throw unlocated(t.image);
        }
        return offset;
    }

    private static int[] lineStarts(String s) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' && (i + 1 >= s.length() || s.charAt(i + 1) != '\n')) {
                starts.add(i + 1);
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Denial unplaced() {
        return new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "the write cap (max_write_rows) could not be applied to"
                + " this statement: its query was not found where the parser read it");
    }

    private static Denial unlocated(String name) {
        return new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "the statement cannot be rewritten faithfully: the name "
                + RawText.abbreviate(name) + " was not found where the parser read it");
    }
}
