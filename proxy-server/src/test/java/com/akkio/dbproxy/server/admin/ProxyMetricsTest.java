package com.akkio.dbproxy.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.Test;

/** Meters read from the proxy's own counters when scraped. */
class ProxyMetricsTest {
    /**
     * A function counter holds its object weakly: registered with a supplier nothing else held, the kept-plan counts
     * read 0 after a collection (AdminEndpointTest saw it now and then).
     */
    @Test
    void countersReadWhenScrapedStillReadTheirCountsAfterCollections() {
        ProxyMetrics metrics = new ProxyMetrics();
        LongAdder kept = new LongAdder();
        LongAdder planned = new LongAdder();
        LongAdder fallbacks = new LongAdder();
        metrics.backendPlans("acme", kept, planned);
        metrics.sharedLimits(fallbacks, f -> true, LongAdder::sum);
        kept.add(3);
        planned.add(2);
        fallbacks.add(7);
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        assertThat(metrics.scrape())
                .contains("akkio_backend_plans_total{plan=\"kept\",tenant=\"acme\"} 3.0")
                .contains("akkio_backend_plans_total{plan=\"planned\",tenant=\"acme\"} 2.0")
                .contains("akkio_cluster_limit_fallbacks_total 7.0");
    }
}
