package com.akkio.dbproxy.server.frontend.avatica;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.apache.calcite.avatica.Meta;
import org.junit.jupiter.api.Test;

class AvaticaValuesTest {
    @Test
    void datesAndTimesBecomeTheNumbersAvaticaCarriesCutToTheMillisecondBelow() {
        assertThat(AvaticaValues.encode(LocalDate.of(1970, 1, 2))).isEqualTo(1);
        assertThat(AvaticaValues.encode(LocalTime.of(0, 0, 1, 999_999_999))).isEqualTo(1999);
        assertThat(AvaticaValues.encode(LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_000)))
                .as("before 1970 the millisecond below is the earlier one").isEqualTo(-1L);
        assertThat(AvaticaValues.encode(LocalDateTime.of(2024, 2, 29, 12, 34, 56, 123_456_789)))
                .isEqualTo(1709210096123L);
    }

    @Test
    void instantsAndUuidsTravelAsTheirTextWhole() {
        assertThat(AvaticaValues.encode(OffsetDateTime.of(2024, 2, 29, 12, 34, 56, 123_456_000, ZoneOffset.UTC)))
                .isEqualTo("2024-02-29 12:34:56.123456+00");
        assertThat(AvaticaValues.encode(UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8")))
                .isEqualTo("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
    }

    @Test
    void aFramesRowsAndTheirListsAreEncodedInPlaceAndEverythingElseIsLeftAsItIs() {
        byte[] bytes = {1};
        List<Object> list = new ArrayList<>(Arrays.asList(LocalDate.of(1970, 1, 1), null));
        Object[] row = {new BigDecimal("1.50"), "text", bytes, list, null};
        Meta.Frame frame = Meta.Frame.create(0, true, List.of((Object) row));
        AvaticaValues.encode(frame);
        assertThat(row).containsExactly(new BigDecimal("1.50"), "text", bytes, Arrays.asList(0, null), null);
    }
}
