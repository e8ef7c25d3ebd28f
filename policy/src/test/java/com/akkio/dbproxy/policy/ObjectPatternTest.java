package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ObjectPatternTest {
    @Test
    void literalAndWildcardParts() {
        ObjectPattern p = ObjectPattern.parse("acme_prod.sales.*");
        assertThat(p.matches(QualifiedName.parse("acme_prod.sales.orders"))).isTrue();
        assertThat(p.matches(QualifiedName.parse("ACME_PROD.Sales.x"))).isTrue();
        assertThat(p.matches(QualifiedName.parse("acme_prod.salesx.orders"))).isFalse();
        assertThat(p.matches(QualifiedName.parse("globex_prod.sales.orders"))).isFalse();
    }

    @Test
    void globsInsideAPart() {
        ObjectPattern p = ObjectPattern.parse("acme_*.sales.fact_*");
        assertThat(p.matches(QualifiedName.parse("acme_dev.sales.fact_orders"))).isTrue();
        assertThat(p.matches(QualifiedName.parse("acme_dev.sales.dim_orders"))).isFalse();
        assertThat(p.matches(QualifiedName.parse("xacme_dev.sales.fact_orders"))).isFalse();
    }

    @Test
    void regexCharactersAreLiteral() {
        ObjectPattern p = ObjectPattern.parse("a.b.c+d");
        assertThat(p.matches(QualifiedName.parse("a.b.c+d"))).isTrue();
        assertThat(p.matches(QualifiedName.parse("a.b.ccd"))).isFalse();
    }

    @Test
    void malformedPatternsAreRejected() {
        assertThatThrownBy(() -> ObjectPattern.parse("sales.*")).hasMessageContaining("three parts");
        assertThatThrownBy(() -> ObjectPattern.parse("a..b")).hasMessageContaining("empty part");
    }
}
