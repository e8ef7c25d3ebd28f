package com.akkio.dbproxy.server.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import com.akkio.dbproxy.server.types.ValueType;
import com.akkio.dbproxy.server.types.ValueType.Kind;
import org.junit.jupiter.api.Test;

class DuckDbTypesTest {
    private static final DuckDbTypes TYPES = DuckDbTypes.INSTANCE;

    private static ValueType type(String name) {
        return TYPES.typeOf(name, Types.OTHER, 0, 0);
    }

    @Test
    void duckDbTypeNamesSayWhatTheJdbcTypeCannot() {
        assertThat(type("HUGEINT")).isEqualTo(new ValueType(Kind.DECIMAL, "HUGEINT", 39, 0, null));
        assertThat(type("UBIGINT")).isEqualTo(new ValueType(Kind.DECIMAL, "UBIGINT", 20, 0, null));
        assertThat(type("UINTEGER").kind()).isEqualTo(Kind.BIGINT);
        assertThat(type("DECIMAL(18,3)")).isEqualTo(new ValueType(Kind.DECIMAL, "DECIMAL(18,3)", 18, 3, null));
        assertThat(type("TIMESTAMP_NS")).isEqualTo(new ValueType(Kind.TIMESTAMP, "TIMESTAMP_NS", 9, 0, null));
        assertThat(type("STRUCT(a INTEGER)[]")).isEqualTo(ValueType.array("STRUCT(a INTEGER)[]",
                ValueType.of(Kind.JSON, "STRUCT(a INTEGER)")));
        assertThat(type("INTEGER[3][]").element()).isEqualTo(ValueType.array("INTEGER[3]",
                ValueType.of(Kind.INTEGER, "INTEGER")));
        assertThat(type("ENUM('a', 'b')")).isEqualTo(ValueType.of(Kind.TEXT, "ENUM"));
        assertThat(type("UNION(num INTEGER, str VARCHAR)").kind()).isEqualTo(Kind.JSON);
        assertThat(type("SOMETHING_NEW").kind()).as("an unknown type is read as text").isEqualTo(Kind.TEXT);
    }

    /** Every column of one row, read as the mapping reads it. */
    private static List<Object> read(String select) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet r = s.executeQuery(select)) {
            r.next();
            Object[] row = new Object[r.getMetaData().getColumnCount()];
            for (int i = 0; i < row.length; i++) {
                row[i] = TYPES.read(r, i + 1, TYPES.typeOf(r.getMetaData(), i + 1));
            }
            return Arrays.asList(row);
        }
    }

    @Test
    void valuesArriveAsTheirKindsJavaClassWithNothingCutOff() throws Exception {
        assertThat(read("SELECT 170141183460469231731687303715884105727::HUGEINT, 18446744073709551615::UBIGINT,"
                + " '2024-02-29 12:34:56.123456789'::TIMESTAMP_NS, '2024-07-01 05:30:00.5+05:30'::TIMESTAMPTZ,"
                + " INTERVAL '1 year 3 days', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID, '\\xAA\\x00'::BLOB"))
                .containsExactly(new BigDecimal("170141183460469231731687303715884105727"),
                        new BigDecimal("18446744073709551615"), LocalDateTime.of(2024, 2, 29, 12, 34, 56, 123456789),
                        OffsetDateTime.of(2024, 7, 1, 0, 0, 0, 500_000_000, ZoneOffset.UTC),
                        "1 year 3 days",
                        UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
                        new byte[] {(byte) 0xAA, 0});
    }

    @Test
    void nestedValuesAreListsOfTheirElementsKindOrJsonAsToJsonWritesIt() throws Exception {
        List<Object> row = read("SELECT [1, NULL]::HUGEINT[], {'t': TIMESTAMP '2024-01-01 01:02:03.5', 'b':"
                + " '\\xAA'::BLOB, 'm': MAP {1: [2]}, 'f': 'nan'::DOUBLE}, [{'a': 1}], '{\"x\": [1, 2]}'::JSON,"
                + " to_json({'t': TIMESTAMP '2024-01-01 01:02:03.5', 'b': '\\xAA'::BLOB, 'm': MAP {1: [2]},"
                + " 'f': 'nan'::DOUBLE})::VARCHAR");
        assertThat(row.get(0)).isEqualTo(Arrays.asList(BigDecimal.ONE, null));
        assertThat(row.get(1)).as("a struct as DuckDB's to_json writes it").isEqualTo(row.get(4));
        assertThat(row.get(2)).isEqualTo(List.of("{\"a\":1}"));
        assertThat(row.get(3)).as("a JSON value keeps its text").isEqualTo("{\"x\": [1, 2]}");
    }

    @Test
    void mapsNestedInListsStructsAndMapsAreJsonObjectsAsOnDatabricks() throws Exception {
        List<Object> row = read("SELECT [MAP {'k': 1}, MAP {}], {'m': MAP {7: 'x'}}, MAP {'o': MAP {1: [2]}},"
                + " to_json({'m': MAP {7: 'x'}})::VARCHAR, to_json(MAP {'o': MAP {1: [2]}})::VARCHAR");
        assertThat(row.get(0)).isEqualTo(List.of("{\"k\":1}", "{}"));
        assertThat(row.get(1)).isEqualTo(row.get(3));
        assertThat(row.get(2)).isEqualTo(row.get(4));
    }
}
