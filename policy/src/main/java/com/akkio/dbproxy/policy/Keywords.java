package com.akkio.dbproxy.policy;

import java.util.Locale;
import java.util.Set;

/**
 * The words some reader of the proxy's SQL takes for a keyword: JSqlParser's lexer (asked, {@link FastLexer}), and
 * DuckDB's and Spark's keywords, reserved or not, from {@code keywords.txt}. A word none of them knows is a plain name
 * to all three, whatever it stands for.
 */
final class Keywords {
    static final String RESOURCE = "keywords.txt";
    private static final Set<String> WORDS = WordLists.read(RESOURCE, "keyword list");

    private Keywords() {
    }

    /** Whether every reader lexes {@code word} (ASCII letters, digits, underscores) as a plain name. */
    static boolean isPlainName(String word) {
        return !WORDS.contains(word.toLowerCase(Locale.ROOT)) && FastLexer.isIdentifier(word);
    }

    static Set<String> words() {
        return WORDS;
    }
}
