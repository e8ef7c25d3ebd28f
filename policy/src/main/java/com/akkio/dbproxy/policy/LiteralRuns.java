package com.akkio.dbproxy.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.parser.CCJSqlParserConstants;
import net.sf.jsqlparser.parser.Token;

/**
 * Long lists of literals after {@code IN} outside any bracket, handed to the parser as one literal each and put back
 * whole in the tree.
 * JSqlParser parses each element of a list through its whole expression grammar with lookahead at every level, about
 * 20× the cost of lexing it: a 95,000-character {@code IN (1, 1, …)} took seconds, and in a cold JVM 5–10 s. Only plain
 * numbers ({@code 42}) and plain strings ({@code 'a'}) are folded, the kinds the tree keeps as their text. The tree with
 * the run put back deparses to the very tokens of the text; a decision that used a folded parse stands only where
 * {@link RewriteProof} proves that from the tokens, and is otherwise made again on an ordinary parse
 * ({@link PolicyEngine}). A list inside brackets is never folded: there JSqlParser's lookahead reads a long list
 * otherwise than a short one (TPC-DS q8's nested {@code (SELECT … IN (400 zips)) INTERSECT (…)} does not parse as
 * written and would parse folded), and the folded parse must read what the ordinary parse reads.
 */
final class LiteralRuns {
    /** How many parses folded runs and put them back, for tests and benchmarks. */
    static final LongAdder FOLDED = new LongAdder();

    /** Fewer literals than this are parsed as they are: folding pays only for long lists. */
    static final int MIN_RUN = 32;

    /** One folded run: its literal tokens, and the first one's kind, image and next token, which the parse borrowed. */
    private record Run(List<Token> literals, int kind, String image, Token next) {
    }

    private final List<Run> runs;

    private LiteralRuns(List<Run> runs) {
        this.runs = runs;
    }

    /**
     * Links each long run of literals in {@code tokens} (the parser's own, linked by {@code next}) out of the parser's
     * way: its first literal stands for it, as a string literal of a text no statement can hold (it holds a NUL, which
     * the lexical checks refuse in any text). Null when there is none; {@link #restore} undoes it.
     */
    static LiteralRuns fold(List<Token> tokens) {
        List<Run> runs = null;
        int depth = 0;
        for (int i = 0; i + 1 < tokens.size(); i++) {
            String image = tokens.get(i).image;
            boolean open = image.equals("(");
            if (!open || depth > 0 || i == 0 || tokens.get(i - 1).kind != CCJSqlParserConstants.K_IN) {
                depth += open ? 1 : image.equals(")") ? -1 : 0;
                continue;
            }
            List<Token> literals = new ArrayList<>();
            int k = i + 1;
            while (k < tokens.size() && foldable(tokens.get(k))) {
                literals.add(tokens.get(k));
                if (k + 1 < tokens.size() && tokens.get(k + 1).image.equals(",")) {
                    k += 2;
                } else {
                    k++;
                    break;
                }
            }
            if (literals.size() < MIN_RUN || k >= tokens.size() || !tokens.get(k).image.equals(")")
                    || tokens.get(k - 1) != literals.get(literals.size() - 1)) {
                depth++; // the bracket after IN opened, its list is read as written
                continue;
            }
            if (runs == null) {
                runs = new ArrayList<>();
            }
            Token first = literals.get(0);
            runs.add(new Run(literals, first.kind, first.image, first.next));
            first.kind = CCJSqlParserConstants.S_CHAR_LITERAL;
            first.image = "'\u0000" + (runs.size() - 1) + "'";
            first.next = tokens.get(k);
            i = k;
        }
        return runs == null ? null : new LiteralRuns(runs);
    }

    private static boolean foldable(Token t) {
        return t.kind == CCJSqlParserConstants.S_LONG && isDigits(t.image)
                || t.kind == CCJSqlParserConstants.S_CHAR_LITERAL && t.image.length() >= 2 && t.image.charAt(0) == '\''
                && t.image.indexOf('\\') < 0;
    }

    private static boolean isDigits(String image) {
        for (int i = 0; i < image.length(); i++) {
            if (image.charAt(i) < '0' || image.charAt(i) > '9') {
                return false;
            }
        }
        return !image.isEmpty();
    }

    /** Gives the tokens back their kinds, images and links, as they were before {@link #fold}. */
    void restore() {
        for (Run run : runs) {
            Token first = run.literals().get(0);
            first.kind = run.kind();
            first.image = run.image();
            first.next = run.next();
        }
    }

    /**
     * Puts every run back into the parsed tree in place of the literal that stood for it; false when one was not
     * found exactly once in a list of expressions (the caller then parses the text without folding).
     */
    boolean expand(Object tree) {
        List<List<Object>> lists = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        List<Integer> which = new ArrayList<>();
        NodeSlots.forEach(tree, node -> {
            if (node instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) instanceof StringValue s && s.getValue().startsWith("\u0000")) {
                        @SuppressWarnings("unchecked")
                        List<Object> items = (List<Object>) list;
                        lists.add(items);
                        positions.add(i);
                        which.add(Integer.parseInt(s.getValue().substring(1)));
                    }
                }
            }
        });
        if (lists.size() != runs.size() || which.stream().distinct().count() != runs.size()) {
            return false;
        }
        for (int n = lists.size() - 1; n >= 0; n--) {
            List<Object> items = lists.get(n);
            int at = positions.get(n);
            if (!(items.get(at) instanceof StringValue)) {
                return false;
            }
            items.remove(at);
            items.addAll(at, values(runs.get(which.get(n))));
        }
        FOLDED.increment();
        return true;
    }

    /** The run's literals as the parser builds them from their tokens. */
    private static List<Expression> values(Run run) {
        List<Expression> values = new ArrayList<>(run.literals().size());
        for (int i = 0; i < run.literals().size(); i++) {
            String image = i == 0 ? run.image() : run.literals().get(i).image;
            int kind = i == 0 ? run.kind() : run.literals().get(i).kind;
            values.add(kind == CCJSqlParserConstants.S_LONG ? new LongValue(image) : new StringValue(image));
        }
        return values;
    }
}
