package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserConstants;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.parser.Token;
import org.junit.jupiter.api.Test;

/**
 * {@link FastLexer} must cut every text it takes into JSqlParser's own tokens: kind, image, line and column of both
 * ends, offsets, and an EOF token after them, in both dialects. Differential over the corpora, their mutations, and
 * every keyword of JSqlParser's lexer followed by every kind of token.
 */
class FastLexerTest {
    /** JSqlParser's tokens of {@code sql}, EOF included, or null when its lexer refuses the text. */
    private static List<Token> jsqlparser(String sql, Dialect dialect) {
        CCJSqlParser parser = CCJSqlParserUtil.newParser(sql);
        if (parser == null) {
            return null; // a blank text
        }
        parser.withDialect(SqlParser.grammarDialect(dialect));
        List<Token> tokens = new ArrayList<>();
        try {
            Token t;
            do {
                t = parser.getNextToken();
                tokens.add(t);
            } while (t.kind != CCJSqlParserConstants.EOF);
        } catch (RuntimeException | Error e) {
            return null;
        }
        return tokens;
    }

    /** The first difference between the two cuttings of {@code sql}, or null; counts what the lexer took. */
    static String difference(String sql, Dialect dialect, int[] taken) {
        List<Token> fast = FastLexer.lex(sql, dialect);
        if (fast == null) {
            return null;
        }
        taken[0]++;
        List<Token> expected = jsqlparser(sql, dialect);
        if (expected == null) {
            return "JSqlParser's lexer refuses it";
        }
        List<Token> actual = new ArrayList<>(fast);
        actual.add(fast.isEmpty() ? null : fast.get(fast.size() - 1).next);
        if (expected.size() != actual.size()) {
            return expected.size() + " tokens vs " + actual.size() + ": " + expected + " vs " + actual;
        }
        for (int i = 0; i < expected.size(); i++) {
            Token e = expected.get(i);
            Token a = actual.get(i);
            if (e.kind == CCJSqlParserConstants.EOF) {
                // its image and place are leftovers of JSqlParser's buffer, which nothing reads
                if (a == null || a.kind != e.kind || a.next != null) {
                    return "no EOF token after the last: " + describe(a);
                }
                continue;
            }
            if (a == null || e.kind != a.kind || !e.image.equals(a.image) || e.beginLine != a.beginLine
                    || e.beginColumn != a.beginColumn || e.endLine != a.endLine || e.endColumn != a.endColumn
                    || e.absoluteBegin != a.absoluteBegin || e.absoluteEnd != a.absoluteEnd
                    || a.specialToken != null || i + 1 < actual.size() && a.next != actual.get(i + 1)) {
                return "token " + i + ": " + describe(e) + " vs " + describe(a);
            }
        }
        return null;
    }

    private static String describe(Token t) {
        return t == null ? "none" : t.kind + " '" + t.image + "' " + t.beginLine + ":" + t.beginColumn + "-"
                + t.endLine + ":" + t.endColumn + " @" + t.absoluteBegin + "-" + t.absoluteEnd
                + (t.specialToken != null ? " with a special token" : "");
    }

    private static void check(String sql, int[] taken, List<String> findings) {
        for (Dialect dialect : Dialect.values()) {
            String d = difference(sql, dialect, taken);
            if (d != null && findings.size() < 30) {
                findings.add(dialect + ": " + d + ": " + sql);
            }
        }
    }

    @Test
    void everyCorpusTextTheLexerTakesIsCutAsJSqlParserCutsIt() {
        List<String> findings = new ArrayList<>();
        int[] taken = {0};
        List<String> corpus = FastSelectTest.corpus();
        for (String sql : corpus) {
            check(sql, taken, findings);
        }
        System.out.printf("fast lexer: %d of %d corpus cuttings taken%n", taken[0], corpus.size() * 2);
        assertThat(findings).isEmpty();
        assertThat(taken[0]).isGreaterThan(corpus.size() / 4);
    }

    @Test
    void mutatedTextsTheLexerTakesAreCutAsJSqlParserCutsThem() {
        List<String> seeds = FastSelectTest.corpus();
        Random random = new Random(Long.getLong("akkio.fuzz.seed", 20261206L));
        int rounds = Integer.getInteger("akkio.fast.mutations", 20_000);
        List<String> findings = new ArrayList<>();
        int[] taken = {0};
        for (int i = 0; i < rounds && findings.size() < 30; i++) {
            check(MutationFuzzTest.mutate(seeds.get(random.nextInt(seeds.size())), seeds, random), taken, findings);
        }
        System.out.printf("fast lexer: %d of %d mutant cuttings taken%n", taken[0], rounds * 2);
        assertThat(findings).isEmpty();
    }

    @Test
    void everyKeywordFollowedByAnyKindOfTokenIsCutAsJSqlParserCutsIt() {
        List<String> words = new ArrayList<>();
        for (String image : CCJSqlParserConstants.tokenImage) {
            // the keywords, by their kinds' names (<K_SELECT>); a name that is no keyword is just another word
            if (image.startsWith("<K_") && image.endsWith(">")) {
                words.add(image.substring(3, image.length() - 1));
            }
        }
        words.addAll(List.of("DATE", "TIME", "TIMESTAMP", "TIMESTAMPTZ", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE",
                "SECOND", "WEEK", "QUARTER", "INT", "INTEGER", "BIGINT", "VARCHAR", "DOUBLE", "DECIMAL", "TEXT",
                "CURRENT_DATE", "CURRENT_TIMESTAMP", "ZONE", "WITH", "abc", "x", "date_trunc"));
        List<String> followers = new ArrayList<>(words);
        followers.addAll(List.of("abc", "1", "1.5", "'x'", "\"n\"", "`n`", "(", ")", "()", ",", ".", ";", "=", "*",
                "<", "<=", "<>", "!=", "||", "?", "-", "+", "/", "%"));
        List<String> findings = new ArrayList<>();
        int[] taken = {0};
        for (String word : words) {
            for (String follower : followers) {
                check(word + " " + follower, taken, findings);
                check(word + "\n" + follower, taken, findings);
                check(word + follower, taken, findings);
                check(follower + " " + word, taken, findings);
            }
        }
        System.out.printf("fast lexer: %d of %d keyword pairs taken%n", taken[0],
                words.size() * followers.size() * 8);
        assertThat(findings).isEmpty();
    }

    @Test
    void everySignBesideEverySignIsCutAsJSqlParserCutsIt() {
        List<String> signs = List.of("(", ")", ",", ".", ";", "*", "+", "-", "/", "%", "=", "<", ">", "<=", ">=",
                "<>", "!=", "||", "?", "!", "|", "a", "1", "'x'");
        List<String> findings = new ArrayList<>();
        int[] taken = {0};
        for (String a : signs) {
            for (String b : signs) {
                for (String between : List.of("", " ", "  ", "\n", " \n ")) {
                    check("SELECT a" + a + between + b + " 1", taken, findings);
                }
            }
        }
        System.out.printf("fast lexer: %d of %d sign pairs taken%n", taken[0], signs.size() * signs.size() * 10);
        assertThat(findings).isEmpty();
    }

    @Test
    void textsWithWhatOnlyJSqlParserCutsAreLeftToIt() {
        for (String sql : List.of("SELECT 1 -- note", "SELECT /* c */ 1", "SELECT\t1", "SELECT 1\r\n", "SELECT 'a\\'b'",
                "SELECT 'it''s'", "SELECT 1e5", "SELECT .5", "SELECT x::int", "SELECT $1", "SELECT ?2",
                "SELECT E'x'", "SELECT NEXT VALUE FOR s", "SELECT CURRENT DATE", "SELECT a SIMILAR TO b",
                "SELECT CAST(x AS TIMESTAMP WITH TIME ZONE)", "SELECT 'é'", "SELECT naïve", "SELECT a[1]",
                "SELECT X'1F'", "SELECT 1 =- 1", "SELECT current_date()", "SELECT a..b", " ", "", "SELECT a > = 1", "SELECT a <\n> 1")) {
            assertThat(FastLexer.lex(sql, Dialect.DUCKDB)).as(sql).isNull();
        }
    }
}
