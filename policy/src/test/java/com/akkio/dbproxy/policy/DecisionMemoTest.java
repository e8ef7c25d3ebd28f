package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DecisionMemoTest {
    private final PolicyEngine engine = new PolicyEngine();

    private static TenantPolicy.Builder base() {
        return TenantPolicy.builder("t").defaultCatalog("c").defaultSchema("s").read("c.s.*")
                .allow(StatementKind.QUERY);
    }

    @Test
    void repeatedTextReusesTheDecisionOfThatPolicyOnly() {
        TenantPolicy p = base().build();
        Decision first = engine.decide(p, "SELECT * FROM orders");
        assertThat(engine.decide(p, new String("SELECT * FROM orders".toCharArray()))).isSameAs(first);
        TenantPolicy reloaded = base().maxRows(5).build();
        Decision other = engine.decide(reloaded, "SELECT * FROM orders");
        assertThat(other).isNotSameAs(first);
        assertThat(other.rewrittenSql()).endsWith("LIMIT 5");
    }

    @Test
    void denialsAreRememberedToo() {
        TenantPolicy p = base().build();
        Decision d = engine.decide(p, "SELECT * FROM x.y.z");
        assertThat(d.isAllowed()).isFalse();
        assertThat(engine.decide(p, "SELECT * FROM x.y.z")).isSameAs(d);
    }

    @Test
    void boundedAndSwitchable() {
        TenantPolicy none = base().decisionCache(0).build();
        assertThat(engine.decide(none, "SELECT 1")).isNotSameAs(engine.decide(none, "SELECT 1"));
        TenantPolicy small = base().decisionCache(3).build();
        for (int i = 0; i < 10; i++) {
            engine.decide(small, "SELECT " + i);
            assertThat(small.memo().size()).isLessThanOrEqualTo(3);
        }
        String longSql = "SELECT " + "1 + ".repeat(TenantPolicy.MEMO_MAX_SQL_LENGTH / 4) + "1";
        TenantPolicy p = base().build();
        assertThat(engine.decide(p, longSql)).isNotSameAs(engine.decide(p, longSql));
    }
}
