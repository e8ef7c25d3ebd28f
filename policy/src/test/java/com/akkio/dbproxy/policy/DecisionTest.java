package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The shape of {@link Decision}: two records a caller can tell apart by type, with the old accessors on both. */
class DecisionTest {
    private final PolicyEngine engine = new PolicyEngine();
    private final TenantPolicy acme = DemoPolicies.acme();

    private static final QualifiedName ORDERS = QualifiedName.parse("acme_prod.sales.orders");

    @Test
    void anAllowedStatementIsAnAllowedRecordWithItsSqlAndObjects() {
        Decision d = engine.decide(acme, "SELECT * FROM orders");
        assertThat(d).isInstanceOf(Decision.Allowed.class);
        Decision.Allowed allowed = (Decision.Allowed) d;
        assertThat(allowed.isAllowed()).isTrue();
        assertThat(allowed.kind()).isEqualTo(StatementKind.QUERY);
        assertThat(allowed.rewrittenSql()).contains("\"acme_prod\".\"sales\".\"orders\"");
        assertThat(allowed.reads()).containsExactly(ORDERS);
        assertThat(allowed.writes()).isEmpty();
        assertThat(allowed.rowCapApplied()).isTrue();
    }

    @Test
    void aDeniedStatementIsADeniedRecordWithItsCodeReasonAndKind() {
        Decision d = engine.decide(acme, "SELECT * FROM globex_prod.sales.orders");
        assertThat(d).isInstanceOf(Decision.Denied.class);
        Decision.Denied denied = (Decision.Denied) d;
        assertThat(denied.isAllowed()).isFalse();
        assertThat(denied.code()).isEqualTo(DenyCode.OBJECT_NOT_READABLE);
        assertThat(denied.reason()).contains("globex_prod.sales.orders");
        assertThat(denied.kind()).isEqualTo(StatementKind.QUERY);
    }

    @Test
    void callersCanTellTheVariantsApartByPatternMatching() {
        assertThat(describe(engine.decide(acme, "SELECT 1"))).isEqualTo("run SELECT 1");
        assertThat(describe(engine.decide(acme, "DROP TABLE orders"))).isEqualTo("refuse 42501");
        assertThat(describe(engine.decide(acme, "SELEC 1"))).isEqualTo("refuse 42601");
    }

    private static String describe(Decision d) {
        if (d instanceof Decision.Allowed a) {
            return "run " + a.rewrittenSql();
        } else if (d instanceof Decision.Denied denied) {
            return "refuse " + denied.code().sqlState();
        }
        throw new AssertionError("a Decision is Allowed or Denied");
    }

    @Test
    void accessorsThatDoNotFitAVariantAnswerNothing() {
        Decision allowed = engine.decide(acme, "SELECT * FROM orders");
        assertThat(allowed.code()).isNull();
        assertThat(allowed.reason()).isNull();

        Decision denied = engine.decide(acme, "SELECT * FROM globex_prod.sales.orders");
        assertThat(denied.rewrittenSql()).isNull();
        assertThat(denied.reads()).isEmpty();
        assertThat(denied.writes()).isEmpty();
        assertThat(denied.rowCapApplied()).isFalse();

        Decision unparsed = engine.decide(acme, "SELEC 1");
        assertThat(unparsed.kind()).isNull();
        assertThat(unparsed.code()).isEqualTo(DenyCode.SYNTAX_ERROR);
    }

    @Test
    void decisionsFromTheMemoAndFromATemplateAreAllowedRecordsToo() {
        Decision first = null;
        for (int i = 0; i < 4; i++) {
            Decision d = engine.decide(acme, "SELECT * FROM orders WHERE id = " + i);
            assertThat(d).isInstanceOf(Decision.Allowed.class);
            first = first == null ? d : first;
        }
        assertThat(engine.decisions(DecisionSource.TEMPLATE)).isPositive();
        assertThat(engine.decide(acme, "SELECT * FROM orders WHERE id = 0")).isSameAs(first);
    }

    @Test
    void theFactoriesReturnTheVariants() {
        Decision.Allowed a = Decision.allow(StatementKind.QUERY, "SELECT 1", List.of(), List.of(), false);
        Decision.Denied d = Decision.deny(DenyCode.FUNCTION_DENIED, "no", StatementKind.QUERY);
        assertThat(a).isEqualTo(new Decision.Allowed(StatementKind.QUERY, "SELECT 1", List.of(), List.of(), false,
                Optional.empty()));
        assertThat(d).isEqualTo(new Decision.Denied(DenyCode.FUNCTION_DENIED, "no", StatementKind.QUERY));
    }

    @Test
    void decisionsWithEqualComponentsAreEqual() {
        assertThat(Decision.allow(StatementKind.QUERY, "SELECT 1", List.of(ORDERS), List.of(), true))
                .isEqualTo(Decision.allow(StatementKind.QUERY, "SELECT 1", new ArrayList<>(List.of(ORDERS)),
                        List.of(), true))
                .hasSameHashCodeAs(Decision.allow(StatementKind.QUERY, "SELECT 1", List.of(ORDERS), List.of(), true))
                .isNotEqualTo(Decision.allow(StatementKind.QUERY, "SELECT 1", List.of(ORDERS), List.of(), false));
        assertThat(Decision.deny(DenyCode.SYNTAX_ERROR, "x", null))
                .isEqualTo(Decision.deny(DenyCode.SYNTAX_ERROR, "x", null))
                .isNotEqualTo(Decision.deny(DenyCode.EMPTY_STATEMENT, "x", null));
    }

    @Test
    void anAllowedDecisionKeepsItsOwnUnmodifiableCopyOfTheObjectLists() {
        List<QualifiedName> reads = new ArrayList<>(List.of(ORDERS));
        Decision d = Decision.allow(StatementKind.QUERY, "SELECT 1", reads, List.of(), false);
        reads.clear();
        assertThat(d.reads()).containsExactly(ORDERS).isUnmodifiable();
        assertThat(d.writes()).isUnmodifiable();
    }

    @Test
    void toStringReadsAsBefore() {
        assertThat(Decision.allow(StatementKind.QUERY, "SELECT 1", List.of(ORDERS), List.of(), false))
                .hasToString("allow query reads=[acme_prod.sales.orders] writes=[]");
        assertThat(Decision.deny(DenyCode.EMPTY_STATEMENT, "empty statement", null))
                .hasToString("deny EMPTY_STATEMENT: empty statement");
    }

    @Test
    void anAllowedDecisionRequiresAKindSqlAndObjectLists() {
        assertThatNullPointerException()
                .isThrownBy(() -> Decision.allow(null, "SELECT 1", List.of(), List.of(), false)).withMessage("kind");
        assertThatNullPointerException()
                .isThrownBy(() -> Decision.allow(StatementKind.QUERY, null, List.of(), List.of(), false))
                .withMessage("rewrittenSql");
        assertThatNullPointerException()
                .isThrownBy(() -> Decision.allow(StatementKind.QUERY, "SELECT 1", null, List.of(), false))
                .withMessage("reads");
        assertThatNullPointerException()
                .isThrownBy(() -> Decision.allow(StatementKind.QUERY, "SELECT 1", List.of(), null, false))
                .withMessage("writes");
    }

    @Test
    void aDenialRequiresACodeAndReasonButNotAKind() {
        assertThatNullPointerException()
                .isThrownBy(() -> Decision.deny(null, "why", StatementKind.QUERY)).withMessage("code");
        assertThatNullPointerException()
                .isThrownBy(() -> Decision.deny(DenyCode.SYNTAX_ERROR, null, null)).withMessage("reason");
        assertThat(Decision.deny(DenyCode.SYNTAX_ERROR, "cannot parse", null).kind()).isNull();
    }
}
