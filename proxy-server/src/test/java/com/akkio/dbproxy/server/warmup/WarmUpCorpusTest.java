package com.akkio.dbproxy.server.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The warm-up's corpora are packaged with the server, so that every installation warms up on them. */
class WarmUpCorpusTest {
    @Test
    void theTpcdsAnalystAndDemoCorporaAndTheSeedArePackagedResources() {
        assertThat(WarmUpCorpus.tpcds()).hasSize(103).allMatch(sql -> sql.toLowerCase().contains("select"));
        assertThat(WarmUpCorpus.analyst()).hasSizeGreaterThan(300);
        assertThat(WarmUpCorpus.demo("acme")).hasSizeGreaterThan(50);
        assertThat(WarmUpCorpus.demo("nobody")).isEmpty();
        assertThat(WarmUpCorpus.seed()).contains("ATTACH ':memory:' AS acme_prod");
    }
}
