package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The parser differential oracle ({@link ParserDifferential}) over mutated statements, in both dialects: whatever the
 * engine allows is read by the backend's own parser (DuckDB's {@code json_serialize_sql}, Spark's SQL grammar), which
 * must see exactly the tables and only the functions the engine checked, and read the rewrite as it reads the
 * original. Seeds: the policy tests and the TPC-DS queries, the latter decided for a tenant owning the TPC-DS schema;
 * for Spark also the analyst's Databricks SQL ({@link DatabricksCorpusTest}).
 * Bounded by time ({@code -Dakkio.fuzz.seconds}, 20 by default, split between the dialects): a {@link SlowTest}.
 */
@SlowTest
class ParserDifferentialFuzzTest {
    private static final TenantPolicy ACME_DATABRICKS = DemoPolicies.acmeBuilder(Dialect.DATABRICKS)
            .maxSqlLength(100_000).decisionCache(0).build();
    private static final TenantPolicy TPCDS_OWNER = TenantPolicy.builder("analyst").dialect(Dialect.DATABRICKS)
            .defaultCatalog("tpcds_prod").defaultSchema("sf1").mapCatalog("main", "tpcds_prod")
            .read("tpcds_prod.sf1.*").allow(StatementKind.QUERY).maxRows(1000).decisionCache(0).build();

    private final PolicyEngine engine = new PolicyEngine();

    @Test
    void mutatedStatementsReadTheSameToTheEngineAndToEachBackendsParser() {
        List<String> seeds = FuzzOracle.policyTestStatements();
        List<String> tpcds = FuzzOracle.tpcdsQueries();
        List<String> all = new ArrayList<>(seeds);
        all.addAll(tpcds);
        // the analyst's Databricks SQL seeds the Spark half only: its constructs are Databricks SQL, not DuckDB's
        List<String> databricks = new ArrayList<>(all);
        databricks.addAll(DatabricksCorpusTest.statements());
        long seconds = Long.getLong("akkio.fuzz.seconds", 20);
        Random random = new Random(Long.getLong("akkio.fuzz.seed", 20261206L));
        ParserDifferential.Tally duckdb = new ParserDifferential.Tally();
        ParserDifferential.Tally spark = new ParserDifferential.Tally();
        long tried = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            boolean duckDbTurn = tried++ % 2 == 0;
            List<String> pool = duckDbTurn ? all : databricks;
            String seed = pool.get(random.nextInt(pool.size()));
            String sql = MutationFuzzTest.mutate(seed, pool, random);
            if (duckDbTurn) {
                duckdb.add(ParserDifferential.duckdb(FuzzOracle.ACME, sql, engine.decide(FuzzOracle.ACME, sql)));
            } else {
                TenantPolicy policy = tpcds.contains(seed) ? TPCDS_OWNER : ACME_DATABRICKS;
                spark.add(ParserDifferential.databricks(policy, sql, engine.decide(policy, sql)));
            }
        }
        System.out.printf("parser differential fuzz: %d inputs; DuckDB: %s; Spark: %s%n", tried, duckdb, spark);
        assertThat(duckdb.differences).isEmpty();
        assertThat(spark.differences).isEmpty();
    }
}
