package com.akkio.dbproxy.server.backend.databricks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DollarMarkersTest {
    @Test
    void numberedMarkersBecomePositionalOnesInOrder() {
        DollarMarkers.Positional p = DollarMarkers.of("SELECT * FROM t WHERE a = $1 AND b = $2");
        assertThat(p.sql()).isEqualTo("SELECT * FROM t WHERE a = ? AND b = ?");
        assertThat(p.numbers()).containsExactly(1, 2);
        assertThat(p.count()).isEqualTo(2);
    }

    @Test
    void aNumberUsedTwiceOrOutOfOrderBindsEachOfItsPlaces() {
        DollarMarkers.Positional p = DollarMarkers.of("SELECT $2, x FROM t WHERE a = $1 OR b = $2+1 OR c IN ($1,$10)");
        assertThat(p.sql()).isEqualTo("SELECT ?, x FROM t WHERE a = ? OR b = ?+1 OR c IN (?,?)");
        assertThat(p.numbers()).containsExactly(2, 1, 2, 1, 10);
        assertThat(p.places(1)).containsExactly(2, 4);
        assertThat(p.places(2)).containsExactly(1, 3);
        assertThat(p.places(3)).as("a number the text skips has no place").isEmpty();
        assertThat(p.count()).isEqualTo(10);
    }

    @Test
    void dollarsInsideLiteralsNamesAndCommentsAreNotMarkers() {
        DollarMarkers.Positional p = DollarMarkers.of("SELECT '$1', \"$2 \\\" $3\", r'\\' , $1, `a$4`, `x``$5`"
                + " -- $6\n, /* $7 /* $8 */ $9 */ $2, a$3, $4b, $0 FROM t");
        assertThat(p.sql()).isEqualTo("SELECT '$1', \"$2 \\\" $3\", r'\\' , ?, `a$4`, `x``$5` -- $6\n,"
                + " /* $7 /* $8 */ $9 */ ?, a$3, $4b, $0 FROM t");
        assertThat(p.numbers()).containsExactly(1, 2);
    }

    @Test
    void aTextWithoutNumberedMarkersOrWithQuestionMarksIsLeftAlone() {
        assertThat(DollarMarkers.of("SELECT * FROM t WHERE a = ?")).isNull();
        assertThat(DollarMarkers.of("SELECT '$1' FROM t")).isNull();
        assertThat(DollarMarkers.of("SELECT * FROM t WHERE a = $1 AND b = ?")).as("mixed markers").isNull();
        assertThat(DollarMarkers.of("SELECT $99999999999 FROM t")).as("no int").isNull();
    }
}
