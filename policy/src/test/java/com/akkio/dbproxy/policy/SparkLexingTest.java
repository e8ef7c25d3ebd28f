package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where Spark's comments and quoted text end, the one scan the policy and the server's marker rewrite share. */
class SparkLexingTest {
    @Test
    void blockCommentsNestAndAnUnclosedOneRunsToTheEnd() {
        String sql = "SELECT /* a /* b */ still comment */ 1";
        assertThat(sql.substring(SparkLexing.blockCommentEnd(sql, 7))).isEqualTo(" 1");
        assertThat(SparkLexing.blockCommentEnd("/* a */ /* b */", 0)).isEqualTo(7);
        assertThat(SparkLexing.blockCommentEnd("x /* /* */", 2)).isEqualTo(10);
        assertThat(SparkLexing.blockCommentEnd("/*/ x */ y", 0)).as("/*/ opens, it does not close").isEqualTo(8);
    }

    @Test
    void quotedTextEndsAtItsQuoteWithBackslashEscapesOnlyWhereAsked() {
        assertThat(SparkLexing.quotedEnd("'a\\'b' c", 0, '\'', true)).isEqualTo(6);
        assertThat(SparkLexing.quotedEnd("r'a\\' c", 1, '\'', false)).isEqualTo(5);
        assertThat(SparkLexing.quotedEnd("`a``b` c", 0, '`', false)).as("a doubled quote stays inside").isEqualTo(6);
        assertThat(SparkLexing.quotedEnd("'open \\", 0, '\'', true)).as("never past the end").isEqualTo(7);
    }
}
