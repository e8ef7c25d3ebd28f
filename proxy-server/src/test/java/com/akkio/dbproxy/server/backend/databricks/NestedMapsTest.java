package com.akkio.dbproxy.server.backend.databricks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NestedMapsTest {
    @Test
    void aMapInsideAnArrayBecomesAnObjectFromTheDriversEntries() throws Exception {
        assertThat(NestedMaps.objects("[[{\"key\":\"a\",\"value\":1},{\"key\":\"b\",\"value\":null}],null,[]]",
                "ARRAY<MAP<STRING, INT>>")).isEqualTo("[{\"a\":1,\"b\":null},null,{}]");
    }

    @Test
    void mapsInsideStructsAndMapsOfMapsBecomeObjectsAtEveryDepth() throws Exception {
        assertThat(NestedMaps.objects("{\"id\":1,\"m\":[{\"key\":7,\"value\":\"x\"}],"
                        + "\"l\":[[{\"key\":\"k\",\"value\":[{\"key\":\"z\",\"value\":2.50}]}]]}",
                "STRUCT<id: INT, m: MAP<INT, STRING>, l: ARRAY<MAP<STRING, MAP<STRING, DECIMAL(4,2)>>>>"))
                .isEqualTo("{\"id\":1,\"m\":{\"7\":\"x\"},\"l\":[{\"k\":{\"z\":2.50}}]}");
    }

    @Test
    void mapsAlreadyWrittenAsObjectsAndBareKeysAreKept() throws Exception {
        assertThat(NestedMaps.objects("[{7:\"x\",-3:\"y\"}]", "ARRAY<MAP<INT, STRING>>"))
                .isEqualTo("[{\"7\":\"x\",\"-3\":\"y\"}]");
        assertThat(NestedMaps.objects("{\"a\":[{\"key\":\"k\",\"value\":1}]}", "MAP<STRING, MAP<STRING, INT>>"))
                .isEqualTo("{\"a\":{\"k\":1}}");
    }

    @Test
    void onlyTypesWithAMapBelowTheirTopLevelAreWalked() {
        assertThat(NestedMaps.nested("MAP<STRING, INT>")).isFalse();
        assertThat(NestedMaps.nested("ARRAY<STRUCT<a: INT>>")).isFalse();
        assertThat(NestedMaps.nested("ARRAY<MAP<STRING, INT>>")).isTrue();
        assertThat(NestedMaps.nested("struct<m: map<string, int>>")).isTrue();
        assertThat(NestedMaps.nested("MAP<STRING, MAP<STRING, INT>>")).isTrue();
    }
}
