package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import net.sf.jsqlparser.parser.AbstractJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserConstants;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.parser.Token;
import org.junit.jupiter.api.Test;

/** The operators {@link Lexing} lets through are cut alike by JSqlParser and by DuckDB itself. */
class LexingTest {
    @Test
    void everySharedOperatorIsOneTokenToTheParserAndReadsAloneToDuckDb() {
        for (String op : Lexing.SHARED_OPERATORS) {
            assertThat(tokens("a " + op + " b")).as(op).containsExactly("a", op, "b");
            DuckDbReading.Parse glued = DuckDbReading.parse("SELECT a" + op + "b");
            DuckDbReading.Parse spaced = DuckDbReading.parse("SELECT a " + op + " b");
            assertThat(glued.parsed()).as(op + ": " + glued.error()).isEqualTo(spaced.parsed());
            if (glued.parsed()) {
                assertThat(DuckDbReading.forMeaning(glued.statement())).as(op)
                        .isEqualTo(DuckDbReading.forMeaning(spaced.statement()));
            }
        }
    }

    @Test
    void anAtSignGluedToANameMakesANameDuckDbDoesNotHave() {
        assertThat(tokens("a@>b")).startsWith("a@");
        assertThat(new PolicyEngine().decide(DemoPolicies.acme(), "SELECT amount@>5 FROM orders").code())
                .isEqualTo(DenyCode.SYNTAX_ERROR);
    }

    @Test
    void duckDbCutsARunOfOperatorCharactersAsPostgreSqlDoes() {
        assertThat(Lexing.duckDbOperator("*/")).isEqualTo("*/");
        assertThat(Lexing.duckDbOperator("+-")).isEqualTo("+");
        assertThat(Lexing.duckDbOperator("*-")).isEqualTo("*");
        assertThat(Lexing.duckDbOperator("<=-")).isEqualTo("<=");
        assertThat(Lexing.duckDbOperator("@-")).isEqualTo("@-");
        assertThat(Lexing.difference("SELECT a */ b", Dialect.DUCKDB)).contains("*/");
        assertThat(Lexing.difference("SELECT a*-1, a/-2, 'x*/y', \"*/\", $$*/$$ -- */", Dialect.DUCKDB)).isNull();
        assertThat(Lexing.difference("SELECT a*/b", Dialect.DATABRICKS)).contains("*/");
        assertThat(Lexing.difference("SELECT a*-1, a/-2, '*/', `*/` -- */", Dialect.DATABRICKS)).isNull();
        assertThat(Lexing.difference("SELECT 1 // 2", Dialect.DATABRICKS)).contains("//");
        assertThat(Lexing.difference("SELECT 1 /* a /* b */ */", Dialect.DATABRICKS)).contains("block comment");
    }

    private static List<String> tokens(String sql) {
        CCJSqlParser lexer = CCJSqlParserUtil.newParser(sql).withDialect(AbstractJSqlParser.Dialect.POSTGRESQL);
        List<String> images = new ArrayList<>();
        for (Token t = lexer.getNextToken(); t.kind != CCJSqlParserConstants.EOF; t = lexer.getNextToken()) {
            images.add(t.image);
        }
        return images;
    }
}
