package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyEngineTest {
    private final PolicyEngine engine = new PolicyEngine();
    private final TenantPolicy acme = DemoPolicies.acme();
    private final TenantPolicy globex = DemoPolicies.globex();

    private Decision acme(String sql) {
        return engine.decide(acme, sql);
    }

    private static List<String> names(List<QualifiedName> names) {
        return names.stream().map(QualifiedName::toString).toList();
    }

    @Nested
    class Classification {
        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "SELECT 1                                              | QUERY",
                "WITH x AS (SELECT 1) SELECT * FROM x                  | QUERY",
                "SELECT 1 UNION SELECT 2                               | QUERY",
                "VALUES (1), (2)                                       | QUERY",
                "INSERT INTO akkio_out.t VALUES (1)                    | INSERT",
                "CREATE TABLE akkio_out.t (x INT)                      | CREATE_TABLE",
                "CREATE TABLE akkio_out.t AS SELECT 1 AS x             | CREATE_TABLE",
                "CREATE VIEW akkio_out.v AS SELECT 1 AS x              | CREATE_VIEW",
                "DESCRIBE orders                                       | DESCRIBE",
                "EXPLAIN SELECT * FROM orders                          | DESCRIBE"})
        void allowedKinds(String sql, StatementKind kind) {
            Decision d = acme(sql);
            assertThat(d.isAllowed()).as(d.toString()).isTrue();
            assertThat(d.kind()).isEqualTo(kind);
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "MERGE INTO akkio_out.t USING orders s ON t.id = s.order_id WHEN MATCHED THEN DELETE | MERGE",
                "UPDATE akkio_out.t SET x = 1                          | UPDATE",
                "DELETE FROM akkio_out.t                               | DELETE",
                "TRUNCATE akkio_out.t                                  | TRUNCATE",
                "DROP TABLE akkio_out.t                                | DROP",
                "ALTER TABLE akkio_out.t ADD COLUMN y INT              | ALTER",
                "USE main                                              | SESSION",
                "SET threads = 1                                       | SESSION",
                "SHOW TABLES                                           | SHOW",
                "CALL pragma_version()                                 | ENGINE",
                "COPY orders TO 'x.csv'                                | ENGINE",
                "ATTACH 'x.db' AS x                                    | ENGINE",
                "PRAGMA database_list                                  | ENGINE",
                "GRANT SELECT ON orders TO x                           | GRANT"})
        void deniedKinds(String sql, StatementKind kind) {
            Decision d = acme(sql);
            assertThat(d.isAllowed()).isFalse();
            assertThat(d.code()).isEqualTo(DenyCode.STATEMENT_KIND_DENIED);
            assertThat(d.kind()).isEqualTo(kind);
            assertThat(d.reason()).isNotBlank();
        }

        @Test
        void kindListedByPolicyButNotGovernableIsRejectedAtLoad() {
            assertThatThrownBy(() -> TenantPolicy.builder("t").defaultCatalog("c").defaultSchema("s")
                    .allow(StatementKind.SESSION).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("session");
        }

        @Test
        void writeKindsNeedWritableObjects() {
            assertThatThrownBy(() -> TenantPolicy.builder("t").defaultCatalog("c").defaultSchema("s")
                    .allow(StatementKind.INSERT).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("write");
        }

        @Test
        void updateAllowedWhereThePolicySaysSo() {
            TenantPolicy p = TenantPolicy.builder("t").defaultCatalog("c").defaultSchema("s").write("c.out.*")
                    .allow(StatementKind.UPDATE, StatementKind.DELETE, StatementKind.MERGE, StatementKind.DROP,
                            StatementKind.TRUNCATE, StatementKind.ALTER)
                    .build();
            assertThat(engine.decide(p, "UPDATE out.t SET x = 1 WHERE y IN (SELECT y FROM out.u)").isAllowed()).isTrue();
            assertThat(engine.decide(p, "UPDATE s.t SET x = 1").code()).isEqualTo(DenyCode.OBJECT_NOT_WRITABLE);
            assertThat(engine.decide(p, "DELETE FROM out.t WHERE x = 1").writes())
                    .containsExactly(QualifiedName.parse("c.out.t"));
            assertThat(engine.decide(p, "DROP TABLE out.t").isAllowed()).isTrue();
            assertThat(engine.decide(p, "DROP SCHEMA out").code()).isEqualTo(DenyCode.UNSUPPORTED_CONSTRUCT);
            assertThat(engine.decide(p, "TRUNCATE out.t").isAllowed()).isTrue();
            assertThat(engine.decide(p, "ALTER TABLE out.t ADD COLUMN z INT").isAllowed()).isTrue();
            assertThat(engine.decide(p, "ALTER TABLE out.t RENAME TO s.t").isAllowed()).isFalse();
            Decision merge = engine.decide(p,
                    "MERGE INTO out.t USING out.u s ON t.id = s.id WHEN MATCHED THEN UPDATE SET x = s.x");
            assertThat(merge.isAllowed()).as(merge.toString()).isTrue();
            assertThat(names(merge.writes())).containsExactly("c.out.t");
            assertThat(names(merge.reads())).containsExactly("c.out.u");
            assertThat(engine.decide(p,
                    "MERGE INTO out.t USING s.secret x ON t.id = x.id WHEN MATCHED THEN DELETE").code())
                    .isEqualTo(DenyCode.OBJECT_NOT_READABLE);
        }
    }

    @Nested
    class Resolution {
        @Test
        void everyObjectIsRewrittenToItsQuotedPhysicalName() {
            Decision d = acme("SELECT o.order_id, k.name FROM orders o JOIN main.sales.customers c USING (customer_id)"
                    + " JOIN shared_ref.geo.countries k ON k.country_code = c.country_code");
            assertThat(d.isAllowed()).isTrue();
            assertThat(d.rewrittenSql()).isEqualTo("SELECT o.order_id, k.name FROM \"acme_prod\".\"sales\".\"orders\" o"
                    + " JOIN \"acme_prod\".\"sales\".\"customers\" c USING (customer_id)"
                    + " JOIN \"shared_ref\".\"geo\".\"countries\" k ON k.country_code = c.country_code LIMIT 10000");
            assertThat(names(d.reads())).containsExactly("acme_prod.sales.orders", "acme_prod.sales.customers",
                    "shared_ref.geo.countries");
            assertThat(d.writes()).isEmpty();
        }

        @Test
        void embeddedQuotesAreEscapedInRewrittenNames() {
            Decision d = acme("SELECT * FROM akkio_out.\"we\"\"ird\"");
            assertThat(d.isAllowed()).as(d.toString()).isTrue();
            assertThat(d.rewrittenSql()).contains("\"acme_prod\".\"akkio_out\".\"we\"\"ird\"");
        }

        @Test
        void logicalCatalogsAreTenantSpecific() {
            assertThat(names(engine.decide(globex, "SELECT * FROM main.sales.orders").reads()))
                    .containsExactly("globex_prod.sales.orders");
            assertThat(names(acme("SELECT * FROM main.sales.orders").reads()))
                    .containsExactly("acme_prod.sales.orders");
        }

        @Test
        void denialNamesTheObjectAndTheRule() {
            Decision d = acme("SELECT * FROM globex_prod.sales.orders");
            assertThat(d.code()).isEqualTo(DenyCode.OBJECT_NOT_READABLE);
            assertThat(d.code().sqlState()).isEqualTo("42501");
            assertThat(d.reason()).contains("globex_prod.sales.orders").contains("acme").contains("rule: read");
        }

        @Test
        void cteShadowsOnlyInsideItsScope() {
            Decision inScope = engine.decide(globex, "WITH orders AS (SELECT 1 AS x) SELECT * FROM orders");
            assertThat(inScope.reads()).isEmpty();
            Decision sibling = engine.decide(globex,
                    "SELECT * FROM (WITH orders AS (SELECT 1 AS x) SELECT * FROM orders) a, orders");
            assertThat(names(sibling.reads())).containsExactly("globex_prod.sales.orders");
            Decision ownBody = engine.decide(globex, "WITH orders AS (SELECT * FROM orders) SELECT * FROM orders");
            assertThat(names(ownBody.reads())).as("a non-recursive CTE body sees the real table")
                    .containsExactly("globex_prod.sales.orders");
            assertThat(ownBody.rewrittenSql()).startsWith(
                    "WITH orders AS (SELECT * FROM \"globex_prod\".\"sales\".\"orders\") SELECT * FROM orders");
            Decision earlier = engine.decide(globex, "WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a");
            assertThat(names(earlier.reads())).as("a CTE is not visible before its definition")
                    .containsExactly("globex_prod.sales.b");
        }

        @Test
        void writeBackImpliesReadBack() {
            assertThat(acme("SELECT * FROM akkio_out.results").isAllowed()).isTrue();
            assertThat(engine.decide(globex, "SELECT * FROM akkio_out.results").isAllowed()).isFalse();
        }
    }

    @Nested
    class Databricks {
        private final TenantPolicy dbx = DemoPolicies.acme(Dialect.DATABRICKS);

        private Decision dbx(String sql) {
            return engine.decide(dbx, sql);
        }

        @Test
        void aListedTableFunctionInFromIsGovernedByTableFunctionsNotTheScalarAllowList() {
            assertThat(dbx("SELECT count(*) FROM range(4000000000) t(i) WHERE i % 7 = 3").isAllowed()).isTrue();
            assertThat(engine.decide(DemoPolicies.acme(Dialect.DUCKDB), "SELECT count(*) FROM range(10) t(i)")
                    .isAllowed()).isTrue();
            assertThat(dbx("SELECT count(*) FROM read_files('/tmp') t").code())
                    .isEqualTo(DenyCode.TABLE_FUNCTION_DENIED);
        }

        /**
         * The rewrite drops hints; one Spark would not read as a hint (found by ParserDifferentialFuzzTest: a
         * malformed one, one after FROM) is denied, so nothing Databricks refuses as written is sent without it.
         */
        @Test
        void aHintIsAllowedOnlyWhereAndAsSparkReadsOne() {
            assertThat(dbx("SELECT /*+ BROADCAST(c) */ o.order_id FROM orders o JOIN customers c"
                    + " ON o.customer_id = c.customer_id").isAllowed()).isTrue();
            assertThat(dbx("SELECT /*+ REPARTITION(3, order_id), COALESCE(2) */ order_id FROM orders").isAllowed())
                    .isTrue();
            for (String misread : new String[] {
                    "SELECT /*+((( BROADCAST(c) */ o.order_id FROM orders o JOIN customers c ON o.customer_id = c.customer_id",
                    "SELECT order_id FROM orders /*+ BROADCAST(orders) */",
                    "SELECT /*+ BROADCAST(c) /* nested */ */ order_id FROM orders",
                    "SELECT /*+ 1x */ order_id FROM orders",
                    "/*+ BROADCAST(c) */ SELECT order_id FROM orders"}) {
                // a nested comment is already refused by the lexing rules (AMBIGUOUS_LITERAL)
                assertThat(dbx(misread).code()).as(misread)
                        .isIn(DenyCode.UNSUPPORTED_CONSTRUCT, DenyCode.AMBIGUOUS_LITERAL);
            }
            assertThat(DatabricksSyntax.isHint("/*+ " + "a".repeat(50_000) + "! */")).isFalse();
        }

        /** The analyst's constructs JSqlParser cannot parse: allowed, and sent exactly as written but for names. */
        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
                "SELECT o.order_id FROM orders o LEFT ANTI JOIN customers c ON o.customer_id = c.customer_id"
                        + "|SELECT o.order_id FROM `acme_prod`.`sales`.`orders` o LEFT ANTI JOIN"
                        + " `acme_prod`.`sales`.`customers` c ON o.customer_id = c.customer_id LIMIT 10000",
                "SELECT c.name FROM customers c ANTI JOIN orders o ON o.customer_id = c.customer_id"
                        + "|SELECT c.name FROM `acme_prod`.`sales`.`customers` c ANTI JOIN `acme_prod`.`sales`.`orders` o"
                        + " ON o.customer_id = c.customer_id LIMIT 10000",
                "SELECT * FROM orders TABLESAMPLE (10 PERCENT)"
                        + "|SELECT * FROM `acme_prod`.`sales`.`orders` TABLESAMPLE (10 PERCENT) LIMIT 10000",
                "SELECT * FROM orders TABLESAMPLE (100 ROWS) o"
                        + "|SELECT * FROM `acme_prod`.`sales`.`orders` TABLESAMPLE (100 ROWS) o LIMIT 10000",
                "SELECT CAST(x AS MAP<STRING,INT>), CAST(y AS STRUCT<a: INT>) FROM orders"
                        + "|SELECT CAST(x AS MAP<STRING,INT>), CAST(y AS STRUCT<a: INT>) FROM `acme_prod`.`sales`.`orders`"
                        + " LIMIT 10000",
                "SELECT window.start, count(*) FROM orders GROUP BY window(ordered_at, '1 hour')"
                        + "|SELECT window.start, count(*) FROM `acme_prod`.`sales`.`orders` GROUP BY"
                        + " window(ordered_at, '1 hour') LIMIT 10000",
                "DESCRIBE TABLE EXTENDED orders|DESCRIBE TABLE EXTENDED `acme_prod`.`sales`.`orders`",
                "SELECT `a.b` FROM orders|SELECT `a.b` FROM `acme_prod`.`sales`.`orders` LIMIT 10000",
                "SELECT \"double \\\"quoted\\\"\" AS s FROM orders"
                        + "|SELECT \"double \\\"quoted\\\"\" AS s FROM `acme_prod`.`sales`.`orders` LIMIT 10000",
                "SELECT * FROM orders DISTRIBUTE BY customer_id SORT BY amount"
                        + "|SELECT * FROM `acme_prod`.`sales`.`orders` DISTRIBUTE BY customer_id SORT BY amount LIMIT 10000",
                "SELECT * FROM orders CLUSTER BY customer_id"
                        + "|SELECT * FROM `acme_prod`.`sales`.`orders` CLUSTER BY customer_id LIMIT 10000",
                "SELECT * FROM orders@v3|SELECT * FROM `acme_prod`.`sales`.`orders` VERSION AS OF 3 LIMIT 10000",
                "SELECT t.s.a FROM (SELECT named_struct('a', 1) AS s) t"
                        + "|SELECT t.s.a FROM (SELECT named_struct('a', 1) AS s) t LIMIT 10000",
                "SELECT current_date() - INTERVAL 7 DAYS AS d|SELECT current_date() - INTERVAL 7 DAYS AS d LIMIT 10000"})
        void databricksConstructsTheParserLacksAreAllowedAndSentAsWritten(String sql, String rewritten) {
            Decision d = dbx(sql);
            assertThat(d.isAllowed()).as(d.toString()).isTrue();
            assertThat(d.rewrittenSql()).isEqualTo(rewritten);
            assertThat(ParserDifferential.databricks(dbx, sql, d).difference()).isNull();
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
                "SELECT * FROM `globex_prod.sales.orders`                                  | INVALID_NAME",
                "SELECT * FROM `other_catalog.x.y`                                         | INVALID_NAME",
                "SELECT * FROM `sales.orders`                                              | INVALID_NAME",
                "SELECT * FROM globex_prod.sales.orders@v3                                 | OBJECT_NOT_READABLE",
                "SELECT * FROM globex_prod.sales.orders TABLESAMPLE (10 PERCENT)           | OBJECT_NOT_READABLE",
                "SELECT * FROM orders o LEFT ANTI JOIN globex_prod.sales.orders g ON true  | OBJECT_NOT_READABLE",
                "DESCRIBE TABLE EXTENDED globex_prod.sales.orders                          | OBJECT_NOT_READABLE",
                "SELECT * FROM orders SORT BY (SELECT max(amount) FROM globex_prod.sales.orders) | OBJECT_NOT_READABLE",
                "SELECT * FROM orders TABLESAMPLE ((SELECT count(*) FROM globex_prod.sales.orders) ROWS)"
                        + " | UNSUPPORTED_CONSTRUCT",
                "SELECT * FROM orders@20240101000000000                                    | UNSUPPORTED_CONSTRUCT",
                "SELECT CAST(x AS MAP<STRING, globex_prod.sales.mood>) FROM orders         | TYPE_DENIED"})
        void theNewConstructsOpenNoWayToAnotherCatalog(String sql, DenyCode code) {
            assertThat(dbx(sql).code()).as(sql + " -> " + dbx(sql)).isEqualTo(code);
        }

        @Test
        void backticksInAndOut() {
            Decision d = dbx("SELECT * FROM `main`.`sales`.`orders` WHERE amount > 1");
            assertThat(d.isAllowed()).isTrue();
            assertThat(d.rewrittenSql()).isEqualTo("SELECT * FROM `acme_prod`.`sales`.`orders` WHERE amount > 1 LIMIT 10000");
        }

        @Test
        void doubleQuotesAreStringsNotNames() {
            Decision d = dbx("SELECT \"globex_prod.sales.orders\" AS s FROM orders");
            assertThat(d.isAllowed()).as(d.toString()).isTrue();
            assertThat(names(d.reads())).containsExactly("acme_prod.sales.orders");
            assertThat(dbx("SELECT * FROM \"globex_prod\".sales.orders").isAllowed()).isFalse();
        }

        @Test
        void backslashEscapesCannotHideASubquery() {
            // Spark reads 'a\' , ...' as one string; so must the engine, and the check must still see the join
            Decision hidden = dbx("SELECT 'a\\'', (SELECT count(*) FROM globex_prod.sales.orders) --'");
            assertThat(hidden.isAllowed()).as(hidden.toString()).isFalse();
            Decision literal = dbx("SELECT 'it\\'s (SELECT * FROM globex_prod.sales.orders)' AS s");
            assertThat(literal.isAllowed()).as(literal.toString()).isTrue();
            assertThat(literal.reads()).isEmpty();
            assertThat(literal.rewrittenSql()).contains("'it\\'s (SELECT * FROM globex_prod.sales.orders)'");
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "SELECT '${env:DATABRICKS_TOKEN}' AS t",
                "SELECT '${system:user.home}', '${spark.databricks.clusterUsageTags.clusterName}'",
                "SELECT * FROM orders WHERE status = '${hivevar:x}'",
                "SELECT * FROM ${x}.sales.orders",
                "SELECT 1 -- ${env:HOME}"})
        void sparkVariableSubstitutionIsDeniedEvenInLiteralsAndComments(String sql) {
            Decision d = dbx(sql);
            assertThat(d.isAllowed()).as(d.toString()).isFalse();
            assertThat(d.reason()).contains("variable substitution");
            Decision duckdb = engine.decide(DemoPolicies.acme(Dialect.DUCKDB), "SELECT '${not special}' AS t");
            assertThat(duckdb.isAllowed()).as("DuckDB does not substitute").isTrue();
        }

        @Test
        void aTemplateCannotCarryVariableSubstitutionIn() {
            engine.decide(dbx, "SELECT * FROM orders WHERE status = 'a'");
            engine.decide(dbx, "SELECT * FROM orders WHERE status = 'b'");
            Decision d = dbx("SELECT * FROM orders WHERE status = '${env:HOME}'");
            assertThat(d.isAllowed()).as(d.toString()).isFalse();
            assertThat(dbx("SELECT * FROM orders WHERE status = 'c'").isAllowed()).isTrue();
        }

        @Test
        void rawStringsWithBackslashesAreDenied() {
            Decision d = dbx("SELECT r'\\', (SELECT count(*) FROM globex_prod.sales.orders) --'");
            assertThat(d.isAllowed()).isFalse();
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "SELECT * FROM delta.`/mnt/globex/orders`",
                "SELECT * FROM parquet.`s3://bucket/x`",
                "SELECT * FROM read_files('/Volumes/globex')",
                "SELECT * FROM IDENTIFIER('globex_prod.sales.orders')",
                "SELECT reflect('java.lang.Runtime', 'getRuntime')",
                "SELECT java_method('java.lang.System', 'getenv')",
                "SELECT secret('scope', 'key')",
                "SELECT ai_query('m', 'x')",
                "SELECT current_metastore()",
                "SELECT * FROM system.access.audit",
                "EXECUTE IMMEDIATE 'SELECT * FROM globex_prod.sales.orders'",
                "SET spark.sql.ansi.enabled = false",
                "CACHE TABLE orders",
                "REFRESH TABLE orders",
                "MSCK REPAIR TABLE orders",
                "ADD JAR '/tmp/evil.jar'",
                "CREATE TABLE akkio_out.t LOCATION 's3://globex/orders' AS SELECT 1",
                "CREATE TABLE akkio_out.t (x INT) USING DELTA LOCATION '/mnt/x'",
                "SELECT * FROM globex_prod.sales.orders VERSION AS OF 1",
                "SELECT * FROM main.sales.orders o LATERAL VIEW explode(array(1)) t AS x JOIN globex_prod.sales.orders g"})
        void databricksBypassesAreDenied(String sql) {
            Decision d = dbx(sql);
            assertThat(d.isAllowed()).as(d.toString()).isFalse();
        }

        @Test
        void managedDeltaTableIsAllowed() {
            Decision d = dbx("CREATE TABLE akkio_out.t USING DELTA AS SELECT * FROM orders");
            assertThat(d.isAllowed()).as(d.toString()).isTrue();
            assertThat(names(d.writes())).containsExactly("acme_prod.akkio_out.t");
        }

        @Test
        void lateralViewExplodeIsAllowedOnOwnData() {
            Decision d = dbx("SELECT o.order_id, t.x FROM orders o LATERAL VIEW explode(array(1, 2)) t AS x");
            assertThat(d.isAllowed()).as(d.toString()).isTrue();
        }
    }

    @Nested
    class RowCaps {
        @Test
        void cappedOnlyForQueries() {
            assertThat(acme("SELECT * FROM orders").rowCapApplied()).isTrue();
            assertThat(acme("SELECT * FROM orders LIMIT 10").rowCapApplied()).isFalse();
            Decision insert = acme("INSERT INTO akkio_out.t SELECT * FROM orders");
            assertThat(insert.rowCapApplied()).isFalse();
            // max_rows is not what bounds a write; max_write_rows is (WriteBackRulesTest)
            assertThat(insert.rewrittenSql()).doesNotContainPattern("LIMIT 10000\\b");
        }

        @Test
        void aSelectOfConstantsWithoutFromIsOneRowAndNotCapped() {
            for (String sql : List.of("SELECT 1", "SELECT 1 + 1 AS two, 'x' || 'y', -3.5, CAST(1 AS BIGINT), NULL",
                    "select (2 * 3) as six")) {
                Decision d = acme(sql);
                assertThat(d.rowCapApplied()).as(sql).isFalse();
                assertThat(d.rewrittenSql()).as(sql).doesNotContain("LIMIT");
            }
        }

        @Test
        void aSelectWithoutFromIsCappedWhenItCannotBeProvedToBeOneRow() {
            for (String sql : List.of("SELECT unnest(range(1000000))", "SELECT 1, unnest([1, 2, 3])",
                    "SELECT CAST(unnest(range(5)) AS INT)", "SELECT 1 + generate_series(1, 5)[1]",
                    "SELECT (SELECT count(*) FROM orders)", "SELECT ?", "SELECT 1 FROM orders",
                    "SELECT 1 GROUP BY 1", "SELECT 1 UNION ALL SELECT 2", "SELECT *")) {
                Decision d = acme(sql);
                if (!sql.equals("SELECT *")) { // DuckDB's grammar has no star without FROM; JSqlParser's may
                    assertThat(d.isAllowed()).as(d.toString()).isTrue();
                }
                if (d.isAllowed()) {
                    assertThat(d.rowCapApplied()).as(sql).isTrue();
                    assertThat(d.rewrittenSql()).as(sql).contains("LIMIT 10000");
                }
            }
        }

        @Test
        void limitAllIsCapped() {
            assertThat(acme("SELECT * FROM orders LIMIT ALL").rewrittenSql()).endsWith("LIMIT 10000");
        }

        @Test
        void valuesAreNotCapped() {
            assertThat(acme("VALUES (1), (2)").rewrittenSql()).isEqualTo("VALUES (1), (2)");
        }

        @ParameterizedTest
        @ValueSource(strings = {"SELECT 1 UNION ALL SELECT 2 LIMIT 5",
                "SELECT order_id FROM orders UNION SELECT order_id FROM orders ORDER BY 1 LIMIT 100",
                "(SELECT order_id FROM orders) UNION ALL (SELECT order_id FROM orders) LIMIT 10000;",
                "WITH o AS (SELECT order_id FROM orders) SELECT * FROM o EXCEPT SELECT order_id FROM orders"
                        + " WHERE order_id IN (SELECT order_id FROM orders LIMIT 20000) limit /* rows */ 7"})
        void aSetOperationEndingInItsOwnLimitWithinTheCapIsSentAsWrittenAndEachBackendCapsTheWhole(String sql) {
            for (Dialect dialect : Dialect.values()) {
                TenantPolicy policy = DemoPolicies.acme(dialect);
                Decision d = allowedBothWays(policy, sql);
                assertThat(d.rewrittenSql()).as(dialect.name()).doesNotContain(RowCap.WRAP_ALIAS);
                assertThat(d.rowCapApplied()).isFalse();
                // the backend's own parser applies the LIMIT to the whole set operation
                if (dialect == Dialect.DUCKDB) {
                    assertThat(DuckDbReading.setOperationLimit(DuckDbReading.parse(d.rewrittenSql()).statement()))
                            .singleElement().satisfies(n -> assertThat(n).isBetween(1L, 10_000L));
                    assertThat(ParserDifferential.duckdb(policy, sql, d).difference()).isNull();
                } else {
                    assertThat(SparkReading.setOperationLimit(d.rewrittenSql()))
                            .singleElement().satisfies(n -> assertThat(n).isBetween(1L, 10_000L));
                    assertThat(ParserDifferential.databricks(policy, sql, d).difference()).isNull();
                }
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"SELECT 1 UNION ALL SELECT 2",
                "SELECT order_id FROM orders UNION (SELECT order_id FROM orders LIMIT 5)",
                "SELECT order_id FROM orders UNION SELECT order_id FROM orders LIMIT 10001",
                "SELECT order_id FROM orders UNION SELECT order_id FROM orders LIMIT 99999999999999999999",
                "SELECT order_id FROM orders UNION SELECT order_id FROM orders LIMIT ?",
                "SELECT order_id FROM orders UNION SELECT order_id FROM orders LIMIT 5 OFFSET 3",
                "SELECT order_id FROM orders UNION SELECT order_id FROM orders LIMIT ALL",
                "SELECT order_id FROM orders UNION SELECT order_id FROM orders LIMIT 0x10",
                "SELECT order_id FROM orders UNION SELECT order_id FROM orders LIMIT (5)",
                "SELECT order_id FROM orders UNION SELECT order_id FROM orders LIMIT 5 + 0",
                "SELECT order_id FROM orders UNION SELECT order_id FROM orders LIMIT 3, 5",
                "SELECT order_id FROM orders UNION SELECT order_id FROM orders FETCH FIRST 5 ROWS ONLY",
                "SELECT order_id FROM orders UNION SELECT order_id FROM (SELECT order_id FROM orders LIMIT 5) o",
                "SELECT * FROM (SELECT order_id FROM orders UNION SELECT order_id FROM orders) s LIMIT 5 UNION ALL"
                        + " SELECT order_id FROM orders"})
        void aSetOperationIsWrappedUnlessItsTextEndsInALimitWithinTheCap(String sql) {
            for (Dialect dialect : Dialect.values()) {
                Decision d = allowedBothWays(DemoPolicies.acme(dialect), sql);
                assertThat(d.rewrittenSql()).as(dialect.name()).startsWith("SELECT * FROM (")
                        .endsWith(") AS " + RowCap.WRAP_ALIAS + " LIMIT 10000");
                assertThat(d.rowCapApplied()).isTrue();
            }
        }

        /** Allowed, with the same rewrite whether proven from its tokens or parsed again. */
        private Decision allowedBothWays(TenantPolicy policy, String sql) {
            Decision d = engine.decide(policy, sql);
            assertThat(d.isAllowed()).as("%s: %s", policy.dialect(), d).isTrue();
            assertThat(PolicyEngine.decideByReparse(policy, sql).rewrittenSql()).isEqualTo(d.rewrittenSql());
            return d;
        }

        @Test
        void theRuleReadsTheTokensOfTheTextItIsGivenSoTheReparseOfASentTextNotEndingInItsLimitIsNotWithinTheCap()
                throws Exception {
            // verify() applies RowCap to the re-parse of the text that is sent, with that text's own tokens
            String sent = "SELECT order_id FROM t UNION SELECT order_id FROM t LIMIT 5";
            assertThat(rowCap(sent)).isEqualTo(RowCap.Outcome.WITHIN);
            for (String other : List.of(sent + " OFFSET 1", sent.replace("LIMIT 5", "LIMIT 50000"),
                    sent.replace("UNION SELECT", "UNION (SELECT") + ")", sent.replace("LIMIT 5", "LIMIT 5 + 0"),
                    sent + " UNION SELECT 1", "SELECT * FROM (" + sent + ") s UNION SELECT 1")) {
                assertThat(rowCap(other)).as(other).isEqualTo(RowCap.Outcome.WRAP);
            }
        }

        private RowCap.Outcome rowCap(String sql) throws Exception {
            SqlParser.Parsed parsed = SqlParser.parse(sql, Dialect.DUCKDB);
            return RowCap.apply((net.sf.jsqlparser.statement.select.Select) parsed.statements().get(0), parsed.tokens(),
                    10_000);
        }
    }

    @Nested
    class FailClosed {
        @Test
        void tooLongIsDeniedBeforeParsing() {
            TenantPolicy small = TenantPolicy.builder("t").defaultCatalog("c").defaultSchema("s").read("c.s.*")
                    .allow(StatementKind.QUERY).maxSqlLength(32).build();
            Decision d = engine.decide(small, "SELECT * FROM orders WHERE 1 = 1 AND 2 = 2");
            assertThat(d.code()).isEqualTo(DenyCode.SQL_TOO_LONG);
            assertThat(d.reason()).contains("max_sql_length");
        }

        @Test
        void syntaxErrorsUseTheirOwnCode() {
            Decision d = acme("SELECT FROM WHERE");
            assertThat(d.code()).isEqualTo(DenyCode.SYNTAX_ERROR);
            assertThat(d.code().sqlState()).isEqualTo("42601");
            assertThat(d.kind()).isNull();
            assertThat(d.reason()).contains("line 1");
        }

        @Test
        void deepNestingIsDeniedNotCrashing() {
            String sql = "SELECT " + "(".repeat(3000) + "1" + ")".repeat(3000);
            Decision d = acme(sql);
            assertThat(d.isAllowed()).isFalse();
        }

        @Test
        void deepSubqueryNestingReadsEveryLevel() {
            String sql = "SELECT * FROM orders";
            for (int i = 0; i < 40; i++) {
                sql = "SELECT * FROM (" + sql + ") t" + i;
            }
            Decision ok = acme(sql);
            assertThat(ok.isAllowed()).as(ok.toString()).isTrue();
            Decision bad = acme(sql.replace("FROM orders", "FROM globex_prod.sales.orders"));
            assertThat(bad.code()).isEqualTo(DenyCode.OBJECT_NOT_READABLE);
        }

        @Test
        void nullSqlIsEmpty() {
            assertThat(acme(null).code()).isEqualTo(DenyCode.EMPTY_STATEMENT);
        }

        @Test
        void decisionsAreValues() {
            Decision d = acme("SELECT * FROM orders");
            assertThat(d.reads()).isUnmodifiable();
            assertThat(d.code()).isNull();
            assertThat(d.reason()).isNull();
        }
    }

    @Nested
    class TextTheParserKeepsVerbatim {
        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "CREATE TABLE akkio_out.gc2 (x INT, db VARCHAR AS (current_database()), ea VARCHAR AS (current_setting('enable_external_access')), lc VARCHAR AS (current_setting('lock_configuration'))) | current_database",
                "CREATE TABLE akkio_out.g (x INT, m VARCHAR GENERATED ALWAYS AS (current_setting('memory_limit')) VIRTUAL) | current_setting",
                "CREATE TABLE akkio_out.g (x INT, t VARCHAR AS (current_setting('temp_directory')))                 | current_setting",
                "CREATE TABLE akkio_out.g (x INT, v VARCHAR AS (getvariable('v')))                                  | getvariable",
                "CREATE TABLE akkio_out.g (x INT, t BIGINT AS (txid_current()))                                     | txid_current",
                "CREATE TABLE akkio_out.g (x INT CHECK (length(current_setting('memory_limit')) > 0))               | current_setting",
                "CREATE TABLE akkio_out.g (x INT, CONSTRAINT k CHECK (current_setting('memory_limit') IS NOT NULL)) | current_setting",
                "CREATE TABLE akkio_out.g (x INT DEFAULT current_setting('memory_limit'))                           | current_setting",
                "CREATE TABLE akkio_out.g (x INT, u VARCHAR AS (upper(current_user)))                              | current_user"})
        void functionsInColumnDefinitionsAreCheckedLikeInASelect(String sql, String function) {
            Decision d = acme(sql);
            assertThat(d.isAllowed()).as(d.toString()).isFalse();
            assertThat(d.code()).isEqualTo(DenyCode.FUNCTION_DENIED);
            assertThat(d.reason()).contains(function);
        }

        @Test
        void aGeneratedColumnOfDatabricksIsCheckedToo() {
            Decision d = engine.decide(DemoPolicies.acme(Dialect.DATABRICKS),
                    "CREATE TABLE akkio_out.g (x INT, u STRING GENERATED ALWAYS AS (current_user())) USING DELTA");
            assertThat(d.code()).as(d.toString()).isEqualTo(DenyCode.FUNCTION_DENIED);
        }

        @Test
        void aSubqueryInAGeneratedColumnIsDeniedByThePolicyNotByTheBackend() {
            Decision d = acme("CREATE TABLE akkio_out.g (x INT, y INT AS ((SELECT count(*) FROM globex_prod.sales.orders)))");
            assertThat(d.code()).as(d.toString()).isEqualTo(DenyCode.UNSUPPORTED_CONSTRUCT);
            assertThat(d.reason()).contains("subquer").contains("rule:");
            assertThat(acme("CREATE TABLE akkio_out.g (x INT CHECK (x IN (SELECT 1)))").code())
                    .isEqualTo(DenyCode.UNSUPPORTED_CONSTRUCT);
        }

        @Test
        void plainGeneratedColumnsAndChecksAreAllowedAndSentAsWritten() {
            String columns = "(x INTEGER CHECK (x > 0), y INTEGER AS (x + 1), z VARCHAR GENERATED ALWAYS AS"
                    + " (upper(CAST(x AS VARCHAR))) VIRTUAL, CHECK (x < 1000000))";
            Decision d = acme("CREATE TABLE akkio_out.generated " + columns);
            assertThat(d.isAllowed()).as(d.toString()).isTrue();
            assertThat(d.rewrittenSql()).isEqualTo("CREATE TABLE \"acme_prod\".\"akkio_out\".\"generated\" " + columns);
            Decision dbx = engine.decide(DemoPolicies.acme(Dialect.DATABRICKS), "CREATE TABLE akkio_out.g"
                    + " (ts TIMESTAMP, d DATE GENERATED ALWAYS AS (CAST(ts AS DATE))) USING DELTA");
            assertThat(dbx.isAllowed()).as(dbx.toString()).isTrue();
        }

        @Test
        void typesAreBuiltInTypesOfTheDialect() {
            assertThat(acme("SELECT CAST(1 AS DECIMAL(12, 2)), '1'::INTEGER, CAST(NULL AS TIMESTAMP WITH TIME ZONE),"
                    + " CAST(NULL AS STRUCT(a INT, \"b c\" VARCHAR)), CAST(NULL AS DOUBLE PRECISION)").isAllowed()).isTrue();
            assertThat(engine.decide(DemoPolicies.acme(Dialect.DATABRICKS),
                    "SELECT CAST(x AS ARRAY<INT>), CAST(x AS STRING) FROM orders").isAllowed()).isTrue();
            for (String sql : List.of("SELECT 'x'::regclass", "SELECT 1::\"globex_prod\".\"sales\".\"orders\"",
                    "SELECT CAST(1 AS globex_prod.sales.mood)", "CREATE TABLE akkio_out.t (m mood)")) {
                Decision d = acme(sql);
                assertThat(d.code()).as(sql + " -> " + d).isEqualTo(DenyCode.TYPE_DENIED);
                assertThat(d.reason()).contains("rule: built-in types");
            }
        }
    }

    @Nested
    class ClearDenialsInsteadOfBackendErrors {
        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "SELECT * FROM orders FOR SYSTEM_TIME AS OF '2020-01-01'      | UNSUPPORTED_CONSTRUCT | rule: time travel",
                "SELECT * FROM orders AT (TIMESTAMP => '2020-01-01')          | UNSUPPORTED_CONSTRUCT | rule: time travel",
                "SELECT * FROM orders TIMESTAMP AS OF current_setting('x')    | FUNCTION_DENIED       | current_setting",
                "SELECT * FROM pragma_database_list                           | SYSTEM_OBJECT         | rule: no system",
                "SELECT * FROM PRAGMA_table_info                              | SYSTEM_OBJECT         | rule: no system",
                "SELECT 'x'::regclass                                         | TYPE_DENIED           | regclass",
                "SELECT 1::\"globex_prod\".\"sales\".\"orders\"               | TYPE_DENIED           | rule: built-in types",
                "SELECT U&'\\0041'                                            | AMBIGUOUS_LITERAL     | Unicode escape",
                "SELECT u&\"x\" FROM orders                                    | AMBIGUOUS_LITERAL     | Unicode escape"})
        void whatDuckDbWouldRefuseIsDeniedNamingTheRule(String sql, DenyCode code, String reason) {
            Decision d = acme(sql);
            assertThat(d.code()).as(sql + " -> " + d).isEqualTo(code);
            assertThat(d.reason()).contains(reason);
        }

        @Test
        void databricksTimeTravelAndItsUnicodeLessStringsStayAllowed() {
            TenantPolicy dbx = DemoPolicies.acme(Dialect.DATABRICKS);
            for (String sql : List.of("SELECT * FROM orders VERSION AS OF 3",
                    "SELECT * FROM orders TIMESTAMP AS OF '2024-01-01'", "SELECT u&'x' FROM orders")) {
                assertThat(engine.decide(dbx, sql).isAllowed()).as(sql).isTrue();
            }
        }
    }

    @Nested
    class RewritesMeanWhatTheTenantWrote {
        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
                // the parser stopped at text it could not lex and the rewrite dropped the rest
                "SELECT amount FROM orders')                                   | SYNTAX_ERROR",
                // JSqlParser's leniencies, which the rewrite would turn into valid statements
                "SEL 1 + 1 AS two                                              | SYNTAX_ERROR",
                "SELECT * FROM orders WHERE order_id IN (SEL order_id FROM orders) | SYNTAX_ERROR",
                "SELECT 1JOIN + 1 AS two                                       | SYNTAX_ERROR",
                "SELECT * FROM orders LIMIT 10 OFFSET 2d.sales.orders          | SYNTAX_ERROR",
                "SELECT * FROM order                                           | INVALID_NAME",
                "SELECT sales.orders.* FROM sales.orders                       | INVALID_NAME",
                "SELECT sales..orders.amount FROM sales.orders                 | INVALID_NAME",
                // tokens DuckDB cuts differently
                "SELECT amount */1 FROM orders                                 | AMBIGUOUS_LITERAL",
                "SELECT * FROM orders WHERE amount *> 5                        | AMBIGUOUS_LITERAL",
                "SELECT 7 // 2 FROM orders                                     | AMBIGUOUS_LITERAL",
                "SELECT 1 /* a /* b */ , 2 */                                  | AMBIGUOUS_LITERAL",
                "SELECT * FROM orders WHERE order_id = ? 2                     | AMBIGUOUS_LITERAL",
                "SELECT amount 'total' FROM orders                             | AMBIGUOUS_LITERAL",
                "SELECT * FROM `orders`                                        | AMBIGUOUS_LITERAL",
                "SELECT * FROM \"acme_prod.sales.orders\"                       | AMBIGUOUS_LITERAL",
                "SELECT 'a'b'c' FROM orders                                    | AMBIGUOUS_LITERAL",
                "SELECT 1 FROM orders, VALUES o                                | UNSUPPORTED_CONSTRUCT",
                // the deparser loses part of the tree
                "SELECT * FROM orders LIMIT amount = 1 LIMIT 2                 | UNSUPPORTED_CONSTRUCT",
                "SELECT count(LATERAL *) FROM orders                           | UNSUPPORTED_CONSTRUCT",
                // clauses out of order, which the deparser puts in order
                "SELECT * FROM orders LIMIT 5 ORDER BY amount                  | UNSUPPORTED_CONSTRUCT",
                "SELECT status FROM orders HAVING count(*) > 1 GROUP BY status | UNSUPPORTED_CONSTRUCT"})
        void textTheRewriteWouldChangeIsDenied(String sql, DenyCode code) {
            Decision d = acme(sql);
            assertThat(d.code()).as(sql + " -> " + d).isEqualTo(code);
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
                ";SELECT 1                                                     | SYNTAX_ERROR",
                "SELECT * FROM or$$ders                                        | SYNTAX_ERROR",
                "SELECT amount FROM ordérs                                     | SYNTAX_ERROR",
                "SELECT amount */ 2 FROM orders                                | AMBIGUOUS_LITERAL",
                "SELECT 'O, (2, 'b')) AS v' FROM orders                        | AMBIGUOUS_LITERAL",
                "SELECT o.* FROM 8s o                                          | SYNTAX_ERROR",
                "SELECT amount FROM orders WHERE amount > 1.5ORDER BY amount   | AMBIGUOUS_LITERAL",
                "INSERT INTO akkio_out.notes (id, notes.note) VALUES (1, 'x')  | UNSUPPORTED_CONSTRUCT",
                "SELECT * FROM orders LIMIT 5rs LIMIT 10 * 10000              | UNSUPPORTED_CONSTRUCT",
                "SELECT 1 FROM orders, VALUES o                                | UNSUPPORTED_CONSTRUCT",
                "SELECT * FROM orders o JOIN \"x\" ON true                      | AMBIGUOUS_LITERAL",
                "INSERT INTO akkio_out.notes (id) VALUE (1)                     | UNSUPPORTED_CONSTRUCT",
                "INSERT akkio_out.notes (id) VALUES (1)                         | UNSUPPORTED_CONSTRUCT"})
        void textSparkReadsDifferentlyIsDeniedForDatabricks(String sql, DenyCode code) {
            Decision d = engine.decide(DemoPolicies.acme(Dialect.DATABRICKS), sql);
            assertThat(d.code()).as(sql + " -> " + d).isEqualTo(code);
        }

        @Test
        void aStringSparkEndsAfterAnEscapedQuoteIsReadAsSparkReadsItAndSentAsWritten() {
            // JSqlParser ends '\(\' at the escaped quote and would see a subquery and a comment after it; the
            // engine reads the analysis text, where the string is one string as Spark lexes it (DatabricksSyntax)
            String sql = "SELECT amount '\\(\\' , (SELECT * FROM globex_prod.sales.orders) --' FROM orders";
            Decision d = engine.decide(DemoPolicies.acme(Dialect.DATABRICKS), sql);
            assertThat(d.isAllowed()).as(d.toString()).isTrue();
            assertThat(names(d.reads())).containsExactly("acme_prod.sales.orders");
            assertThat(d.rewrittenSql()).isEqualTo("SELECT amount '\\(\\' , (SELECT * FROM globex_prod.sales.orders)"
                    + " --' FROM `acme_prod`.`sales`.`orders` LIMIT 10000");
            assertThat(ParserDifferential.databricks(DemoPolicies.acme(Dialect.DATABRICKS), sql, d).difference())
                    .as("Spark reads one string there too").isNull();
        }

        @Test
        void controlCharactersAndOtherSpacesTheParserSkipsAreDenied() {
            Decision d = acme("SELECT amount FROM orders\u0001LIMIT 100");
            assertThat(d.code()).as(d.toString()).isEqualTo(DenyCode.AMBIGUOUS_LITERAL);
            assertThat(d.reason()).contains("U+0001");
            for (String sql : List.of("SELECT amount\u00a0FROM orders", "SELECT amount FROM orders\fWHERE amount > 1")) {
                assertThat(acme(sql).isAllowed()).as("the parser refuses it too: " + sql).isFalse();
            }
            assertThat(acme("SELECT amount\tFROM orders\r\nWHERE amount > 1").isAllowed()).isTrue();
        }

        @Test
        void theSpellingsDuckDbReadsAlikeStayAllowed() {
            for (String sql : List.of("SELECT amount AS 'total' FROM orders", "SELECT o.* FROM orders o",
                    "SELECT * FROM \"order\"", "SELECT sales.orders.amount FROM sales.orders",
                    "SELECT amount * -1, amount/-2, amount <= 5, amount <> 1, 'a' || 'b' FROM orders",
                    "SELECT 1 /* one */ + /* two */ 2", "SELECT * FROM orders WHERE order_id = ?",
                    "SELECT \"amount\" AS \"total amount\" FROM orders")) {
                Decision d = acme(sql);
                assertThat(d.isAllowed()).as(sql + " -> " + d).isTrue();
            }
            Decision dotted = acme("SELECT * FROM \"globex_prod.sales.orders\"");
            assertThat(dotted.code()).as("another tenant's object is named first").isEqualTo(DenyCode.OBJECT_NOT_READABLE);
            assertThat(engine.decide(DemoPolicies.acme(Dialect.DATABRICKS), "SELECT * FROM `orders`").isAllowed())
                    .isTrue();
        }
    }

    @Nested
    class Functions {
        @Test
        void configuredDenialsAndGlobs() {
            TenantPolicy p = TenantPolicy.builder("t").defaultCatalog("c").defaultSchema("s").read("c.s.*")
                    .allow(StatementKind.QUERY).denyFunction("regexp_*").denyFunction("md5").build();
            assertThat(engine.decide(p, "SELECT md5(x) FROM t").code()).isEqualTo(DenyCode.FUNCTION_DENIED);
            assertThat(engine.decide(p, "SELECT REGEXP_MATCHES(x, 'a') FROM t").code())
                    .isEqualTo(DenyCode.FUNCTION_DENIED);
            assertThat(engine.decide(p, "SELECT upper(x) FROM t").isAllowed()).isTrue();
        }

        @Test
        void tableFunctionAllowListIsConfigurable() {
            TenantPolicy p = TenantPolicy.builder("t").defaultCatalog("c").defaultSchema("s").read("c.s.*")
                    .allow(StatementKind.QUERY).tableFunctions(List.of("generate_series")).build();
            assertThat(engine.decide(p, "SELECT * FROM range(3)").code()).isEqualTo(DenyCode.TABLE_FUNCTION_DENIED);
            assertThat(engine.decide(p, "SELECT * FROM generate_series(1, 3)").isAllowed()).isTrue();
        }

        @Test
        void anUnknownFunctionIsDeniedWithItsNameAndTheRule() {
            Decision d = acme("SELECT frobnicate(amount) FROM orders");
            assertThat(d.code()).as(d.toString()).isEqualTo(DenyCode.FUNCTION_NOT_ALLOWED);
            assertThat(d.reason()).contains("frobnicate()").contains("DuckDB").contains("rule:")
                    .contains("allowed_functions");
            assertThat(DenyCode.FUNCTION_NOT_ALLOWED.sqlState()).isEqualTo("42501");
        }

        @Test
        void functionsThatChangeOrRevealSessionStateAreDenied() {
            for (String sql : List.of("SELECT setseed(0.42)", "SELECT current_connection_id()",
                    "SELECT write_log('x')", "SELECT json_serialize_plan('SELECT * FROM globex_prod.sales.orders')",
                    "SELECT version()", "SELECT user", "SELECT upper(user) FROM orders")) {
                Decision d = acme(sql);
                assertThat(d.code()).as(sql + " -> " + d).isEqualTo(DenyCode.FUNCTION_DENIED);
            }
        }

        @Test
        void eachDialectAllowsItsOwnFunctionsOnly() {
            TenantPolicy dbx = DemoPolicies.acme(Dialect.DATABRICKS);
            assertThat(acme("SELECT list_value(1), regexp_matches('a', 'a'), row_number() OVER (), coalesce(1, 2)")
                    .isAllowed()).isTrue();
            assertThat(engine.decide(dbx, "SELECT get_json_object('{}', '$.a'), collect_list(1), nvl(1, 2)")
                    .isAllowed()).isTrue();
            assertThat(engine.decide(dbx, "SELECT list_value(1)").code()).isEqualTo(DenyCode.FUNCTION_NOT_ALLOWED);
            assertThat(acme("SELECT get_json_object('{}', '$.a')").code()).isEqualTo(DenyCode.FUNCTION_NOT_ALLOWED);
        }

        @Test
        void aPolicyMayAddFunctionsButNeverOnesTheBuiltInDenialsName() {
            TenantPolicy p = DemoPolicies.acmeBuilder(Dialect.DUCKDB).allowFunction("Frobnicate").build();
            assertThat(engine.decide(p, "SELECT frobnicate(amount) FROM orders").isAllowed()).isTrue();
            for (String bad : List.of("current_setting", "read_csv", "ai_query", "frob*", "main.f", " ")) {
                assertThatThrownBy(() -> DemoPolicies.acmeBuilder(Dialect.DUCKDB).allowFunction(bad).build())
                        .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowed_functions");
            }
        }

        @Test
        void deniedFunctionsWinOverEveryAllowList() {
            TenantPolicy p = DemoPolicies.acmeBuilder(Dialect.DUCKDB).denyFunction("upper").allowFunction("upper")
                    .build();
            assertThat(engine.decide(p, "SELECT upper(status) FROM orders").code()).isEqualTo(DenyCode.FUNCTION_DENIED);
        }

        @Test
        void aTableFunctionOfThePolicyIsNotAlsoCheckedAsAScalarFunction() {
            // Spark knows range only as a table function, so it is on no scalar allow-list
            Decision d = engine.decide(DemoPolicies.acme(Dialect.DATABRICKS),
                    "SELECT count(*) FROM range(4000000000) t(i) WHERE i % 7 = 3");
            assertThat(d.isAllowed()).as(d.toString()).isTrue();
        }

        @Test
        void numberedParametersAsThePostgreSqlFrontEndSendsThemAreAllowed() {
            Decision d = acme("SELECT * FROM orders WHERE order_id = $1 AND amount > $2");
            assertThat(d.isAllowed()).as(d.toString()).isTrue();
        }

        @Test
        void aBuiltInDenialCannotBeListedAsTableFunction() {
            TenantPolicy p = TenantPolicy.builder("t").defaultCatalog("c").defaultSchema("s").read("c.s.*")
                    .allow(StatementKind.QUERY).tableFunctions(List.of("read_csv")).build();
            assertThat(engine.decide(p, "SELECT * FROM read_csv('x')").isAllowed()).isFalse();
        }
    }
}
