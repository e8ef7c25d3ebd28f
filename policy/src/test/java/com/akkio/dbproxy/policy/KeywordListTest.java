package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * The keyword list an alias slot is held against ({@code keywords.txt}, {@link Keywords}): a DuckDB upgrade that adds
 * a keyword fails here until the list has it.
 */
class KeywordListTest {
    @Test
    void everyKeywordOfTheDuckDbTheProxyShipsWithIsInTheList() throws Exception {
        Set<String> duckdb = new TreeSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT keyword_name FROM duckdb_keywords()")) {
            while (r.next()) {
                duckdb.add(r.getString(1).toLowerCase(Locale.ROOT));
            }
        }
        assertThat(duckdb).hasSizeGreaterThan(400);
        assertThat(Keywords.words()).containsAll(duckdb);
        for (String keyword : duckdb) {
            assertThat(Keywords.isPlainName(keyword)).as(keyword).isFalse();
            assertThat(Keywords.isPlainName(keyword.toUpperCase(Locale.ROOT))).as(keyword).isFalse();
        }
    }

    @Test
    void sparksKeywordsAndJSqlParsersAreNotPlainNamesAndOrdinaryNamesAre() {
        for (String keyword : new String[] {"qualify", "lateral", "pivot", "unpivot", "tablesample", "current_user",
                "timestamp_ntz", "try_cast", "identifier", "regexp", "rlike", "top", "connect"}) {
            assertThat(Keywords.isPlainName(keyword)).as(keyword).isFalse();
        }
        for (String name : new String[] {"n", "n17", "total_revenue", "orders_per_country", "avg_amount", "_c0"}) {
            assertThat(Keywords.isPlainName(name)).as(name).isTrue();
        }
    }
}
