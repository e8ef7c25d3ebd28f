package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.util.TablesNamesFinder;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * Random statements over the demo schema, written in every spelling a tenant might use: allowed ones must come back
 * rewritten to allowed physical objects only (checked with JSqlParser's own TablesNamesFinder, independently of the
 * engine's walk), rewriting must be idempotent, and DuckDB's own parser must read the rewrite as it reads the original
 * ({@link ParserDifferential}); statements that mention a forbidden object anywhere must be denied.
 * 4,000 random statements take about 10 s: a {@link SlowTest}, in the integration-test phase.
 */
@SlowTest
class RewritePropertyTest {
    private static final int STATEMENTS_PER_REPETITION = 200;
    private static final List<String[]> ACME_TABLES = List.of(
            new String[] {"acme_prod", "sales", "orders"}, new String[] {"acme_prod", "sales", "customers"},
            new String[] {"shared_ref", "geo", "countries"});
    private static final List<String[]> FORBIDDEN = List.of(
            new String[] {"globex_prod", "sales", "orders"}, new String[] {"globex_prod", "sales", "customers"},
            new String[] {"globex_prod", "akkio_out", "results"}, new String[] {"shared_ref", "secret", "keys"});
    private static final Set<String> ALLOWED_PHYSICAL = Set.of("acme_prod.sales.orders", "acme_prod.sales.customers",
            "shared_ref.geo.countries");

    private final PolicyEngine engine = new PolicyEngine();
    private final TenantPolicy acme = DemoPolicies.acme();

    @RepeatedTest(10)
    void allowedStatementsReferenceOnlyAllowedPhysicalObjects(RepetitionInfo info) throws Exception {
        Random random = new Random(1000L + info.getCurrentRepetition());
        for (int i = 0; i < STATEMENTS_PER_REPETITION; i++) {
            String sql = new Generator(random, false).query(0);
            Decision d = engine.decide(acme, sql);
            assertThat(d.isAllowed()).as("%s -> %s", sql, d).isTrue();
            // verified from its tokens (RewriteProof) or parsed again: the same rewrite
            assertThat(PolicyEngine.decideByReparse(acme, sql).rewrittenSql()).as(sql).isEqualTo(d.rewrittenSql());
            Set<String> physical = new java.util.HashSet<>();
            for (String name : new TablesNamesFinder<>().getTables(CCJSqlParserUtil.parse(d.rewrittenSql()))) {
                physical.add(name.replace("\"", "").toLowerCase(java.util.Locale.ROOT));
            }
            physical.removeIf(name -> name.startsWith("cte_"));
            assertThat(physical).as("objects in %s", d.rewrittenSql()).isSubsetOf(ALLOWED_PHYSICAL);
            assertThat(d.reads()).allSatisfy(q -> assertThat(ALLOWED_PHYSICAL).contains(q.toString()));
            Decision again = engine.decide(acme, d.rewrittenSql());
            assertThat(again.rewrittenSql()).as("rewriting %s again", d.rewrittenSql()).isEqualTo(d.rewrittenSql());
            assertThat(again.reads()).containsExactlyInAnyOrderElementsOf(d.reads());
            // DuckDB's own parser reads the rewrite as it reads the original (names, row cap and positions aside)
            // and sees in it exactly the tables and only the functions the engine checked
            ParserDifferential.Outcome backend = ParserDifferential.duckdb(acme, sql, d);
            assertThat(backend.difference()).as(sql).isNull();
            assertThat(backend.compared()).as(sql).isTrue();
        }
    }

    @RepeatedTest(10)
    void statementsMentioningAForbiddenObjectAreDenied(RepetitionInfo info) {
        Random random = new Random(5000L + info.getCurrentRepetition());
        for (int i = 0; i < STATEMENTS_PER_REPETITION; i++) {
            String sql = new Generator(random, true).query(0);
            Decision d = engine.decide(acme, sql);
            assertThat(d.isAllowed()).as("%s -> %s", sql, d).isFalse();
            assertThat(d.code()).isEqualTo(DenyCode.OBJECT_NOT_READABLE);
        }
    }

    /** Builds one random query; with {@code poison}, exactly one object reference somewhere is forbidden. */
    private static final class Generator {
        private final Random random;
        private boolean poisonPending;
        private int ctes;

        Generator(Random random, boolean poison) {
            this.random = random;
            this.poisonPending = poison;
        }

        String query(int depth) {
            String sql = select(depth);
            if (poisonPending) {
                // not placed yet: put it in a top-level subquery so it is always present
                sql = "SELECT * FROM (" + sql + ") AS p WHERE EXISTS (SELECT 1 FROM " + table(true) + ")";
            }
            return sql;
        }

        private String select(int depth) {
            StringBuilder sql = new StringBuilder();
            List<String> cteNames = new ArrayList<>();
            if (depth < 2 && random.nextInt(4) == 0) {
                sql.append("WITH ");
                int n = 1 + random.nextInt(2);
                for (int i = 0; i < n; i++) {
                    String name = "cte_" + ctes++;
                    sql.append(i == 0 ? "" : ", ").append(name).append(" AS (").append(select(depth + 1)).append(")");
                    cteNames.add(name);
                }
                sql.append(' ');
            }
            sql.append(core(depth, cteNames));
            if (depth < 3 && random.nextInt(5) == 0) {
                sql.append(" UNION ALL ").append(core(depth + 1, cteNames));
            }
            if (random.nextInt(4) == 0) {
                sql.append(" LIMIT ").append(1 + random.nextInt(20_000));
            }
            return sql.toString();
        }

        private String core(int depth, List<String> cteNames) {
            StringBuilder sql = new StringBuilder("SELECT ").append(random.nextBoolean() ? "*" : "count(*) AS n")
                    .append(" FROM ").append(fromItem(depth, cteNames));
            if (random.nextInt(3) == 0) {
                sql.append(" JOIN ").append(fromItem(depth, cteNames)).append(" ON true");
            }
            if (depth < 3 && random.nextInt(3) == 0) {
                sql.append(" WHERE EXISTS (").append(select(depth + 1)).append(")");
            }
            return sql.toString();
        }

        private String fromItem(int depth, List<String> cteNames) {
            int choice = random.nextInt(10);
            if (choice == 0 && depth < 3) {
                return "(" + select(depth + 1) + ") AS d" + random.nextInt(1000);
            }
            if (choice == 1 && !cteNames.isEmpty()) {
                return cteNames.get(random.nextInt(cteNames.size()));
            }
            boolean poison = poisonPending && random.nextInt(3) == 0;
            if (poison) {
                poisonPending = false;
            }
            return table(poison) + (random.nextBoolean() ? " AS t" + random.nextInt(1000) : "");
        }

        private String table(boolean forbidden) {
            String[] t = forbidden ? FORBIDDEN.get(random.nextInt(FORBIDDEN.size()))
                    : ACME_TABLES.get(random.nextInt(ACME_TABLES.size()));
            boolean own = t[0].equals("acme_prod");
            return switch (random.nextInt(own ? 6 : 4)) {
                case 0 -> spell(t[0]) + "." + spell(t[1]) + "." + spell(t[2]);
                case 1 -> spell(t[0]) + " . " + spell(t[1]) + "/* x */." + spell(t[2]);
                case 2 -> spell(t[0].toUpperCase()) + "." + spell(t[1]) + "." + spell(t[2].toUpperCase());
                case 3 -> "\"" + t[0] + "\".\"" + t[1] + "\".\"" + t[2] + "\"";
                case 4 -> "main." + spell(t[1]) + "." + spell(t[2]);
                default -> random.nextBoolean() ? spell(t[1]) + "." + spell(t[2]) : spell(t[2]);
            };
        }

        private String spell(String identifier) {
            return switch (random.nextInt(3)) {
                case 0 -> identifier;
                case 1 -> "\"" + identifier + "\"";
                default -> identifier.toUpperCase();
            };
        }
    }
}
