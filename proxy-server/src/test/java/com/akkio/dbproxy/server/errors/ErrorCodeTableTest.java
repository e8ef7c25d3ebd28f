package com.akkio.dbproxy.server.errors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.akkio.dbproxy.policy.DenyCode;
import org.junit.jupiter.api.Test;

/** The README's error table is the registries', row for row, and the registries keep their promises. */
class ErrorCodeTableTest {
    private static final Pattern ROW = Pattern.compile(
            "^\\| `([A-Z_]+)` \\| ([0-9A-Z]{5}) \\| (\\d{4}) \\| (.+?) \\| .+ \\|$");

    /** Code name -> "SQLState vendor message-start" as the README's Errors table states them. */
    private static Map<String, String> readmeTable() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        String section = readme.substring(readme.indexOf("## Errors"));
        section = section.substring(0, section.indexOf("\n## ", 1));
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : section.lines().toList()) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                assertThat(rows.put(m.group(1), m.group(2) + " " + m.group(3) + " " + m.group(4)))
                        .as("README lists %s once", m.group(1)).isNull();
            }
        }
        return rows;
    }

    @Test
    void readmesErrorTableListsEveryRegisteredCodeWithItsSqlStateAndNumber() throws IOException {
        Map<String, String> expected = new LinkedHashMap<>();
        for (DenyCode d : DenyCode.values()) {
            expected.put(d.name(), d.sqlState() + " " + d.vendorCode() + " `" + d.name() + ":`");
        }
        for (ErrorCode e : ErrorCode.values()) {
            String start = e.style() == ErrorCode.Style.POSTGRES ? "PostgreSQL's own text" : "`" + e.label() + ":`";
            expected.put(e.name(), e.sqlState() + " " + e.vendorCode() + " " + start);
        }
        assertThat(readmeTable()).containsExactlyEntriesOf(expected);
    }

    @Test
    void noTwoCodesShareAVendorNumber() {
        List<Integer> numbers = new java.util.ArrayList<>();
        Arrays.stream(DenyCode.values()).forEach(d -> numbers.add(d.vendorCode()));
        Arrays.stream(ErrorCode.values()).forEach(e -> numbers.add(e.vendorCode()));
        assertThat(new HashSet<>(numbers)).hasSameSizeAs(numbers);
    }

    @Test
    void everyCodeHasARealSqlStateAndItsRangesNumber() {
        for (ErrorCode e : ErrorCode.values()) {
            assertThat(e.sqlState()).as(e.name()).matches("[0-9A-Z]{5}").isNotEqualTo("00000");
            assertThat(e.vendorCode()).as(e.name()).isBetween(2000, 3999);
            assertThat(e.meaning()).as(e.name()).isNotBlank();
        }
        for (DenyCode d : DenyCode.values()) {
            assertThat(d.vendorCode()).as(d.name()).isBetween(1000, 1999);
        }
    }

    @Test
    void aLabelledMessageStartsWithItsCodeNameAndAPostgresOneIsPostgresText() {
        assertThat(ErrorCode.RATE_LIMITED.message("tenant 'acme' …")).isEqualTo("RATE_LIMITED: tenant 'acme' …");
        assertThat(ErrorCode.BACKEND_UNREACHABLE.message("x")).isEqualTo("BACKEND_UNAVAILABLE: x");
        assertThat(ErrorCode.UNKNOWN_PORTAL.message("portal \"p\" does not exist"))
                .isEqualTo("portal \"p\" does not exist");
        Set<String> labels = new HashSet<>();
        for (ErrorCode e : ErrorCode.values()) {
            labels.add(e.label());
        }
        assertThat(labels).contains("BACKEND_UNAVAILABLE", "NOT_SUPPORTED", "BACKEND_ERROR");
    }
}
