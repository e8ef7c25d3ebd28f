package com.akkio.dbproxy.server.backend.databricks;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Types;

import com.akkio.dbproxy.server.types.ValueType;
import com.akkio.dbproxy.server.types.ValueType.Kind;
import org.junit.jupiter.api.Test;

/** Databricks' type texts, as databricks-jdbc 3.4.5 reports them for results and for prepared statements. */
class DatabricksTypesTest {
    private static ValueType type(String name, int jdbcType) {
        return DatabricksTypes.INSTANCE.typeOf(name, jdbcType, 10, 0);
    }

    @Test
    void arraysStructsMapsAndVariantsAreJsonDocumentsWhetherTheDriverGivesTheirElementsOrNot() {
        assertThat(type("ARRAY<INT>", Types.ARRAY)).isEqualTo(ValueType.of(Kind.JSON, "ARRAY<INT>"));
        assertThat(type("ARRAY", Types.ARRAY)).as("a prepared statement's column").isEqualTo(
                ValueType.of(Kind.JSON, "ARRAY"));
        assertThat(type("STRUCT<id: INT, n: STRING>", Types.STRUCT).kind()).isEqualTo(Kind.JSON);
        assertThat(type("MAP<STRING, INT>", Types.VARCHAR).kind()).as("the driver says VARCHAR").isEqualTo(
                Kind.JSON);
        assertThat(type("VARIANT", Types.OTHER).kind()).isEqualTo(Kind.JSON);
    }

    @Test
    void scalarTypesByTheirSqlAndTheirSparkNames() {
        assertThat(type("DECIMAL(10,2)", Types.DECIMAL)).isEqualTo(new ValueType(Kind.DECIMAL, "DECIMAL(10,2)", 10, 2,
                null));
        assertThat(type("DECIMAL", Types.DECIMAL)).as("a prepared statement's: the driver's precision")
                .isEqualTo(new ValueType(Kind.DECIMAL, "DECIMAL", 10, 0, null));
        assertThat(type("BYTE", Types.TINYINT).kind()).isEqualTo(Kind.TINYINT);
        assertThat(type("SMALLINT", Types.SMALLINT).kind()).isEqualTo(Kind.SMALLINT);
        assertThat(type("LONG", Types.BIGINT).kind()).isEqualTo(Kind.BIGINT);
        assertThat(type("FLOAT", Types.FLOAT).kind()).as("Databricks' FLOAT has 4 bytes").isEqualTo(Kind.REAL);
        assertThat(type("TIMESTAMP_NTZ", Types.TIMESTAMP).kind()).isEqualTo(Kind.TIMESTAMP);
        assertThat(type("INTERVAL DAY TO SECOND", Types.VARCHAR).kind()).isEqualTo(Kind.INTERVAL);
        assertThat(type("VOID", Types.VARCHAR).kind()).isEqualTo(Kind.NULL);
        assertThat(type("GEOGRAPHY", Types.VARCHAR).kind()).as("a type the proxy does not know: by its JDBC type")
                .isEqualTo(Kind.TEXT);
    }

    @Test
    void aMapTheDriverWritesAsArrowEntriesReachesClientsAsAJsonObject() throws Exception {
        assertThat(DatabricksTypes.mapAsObject("[{\"key\":\"k1\",\"value\":1},{\"key\":\"k2\",\"value\":null}]"))
                .isEqualTo("{\"k1\":1,\"k2\":null}");
        assertThat(DatabricksTypes.mapAsObject("[]")).as("an empty map").isEqualTo("{}");
        assertThat(DatabricksTypes.mapAsObject("[{\"key\":7,\"value\":[1]}]")).isEqualTo("{\"7\":[1]}");
        assertThat(DatabricksTypes.mapAsObject("{\"k1\":1.50}")).as("JSON already").isEqualTo("{\"k1\":1.50}");
        assertThat(DatabricksTypes.mapAsObject("{7:\"x\",-3:1.50}")).as("keys the driver writes bare")
                .isEqualTo("{\"7\":\"x\",\"-3\":1.50}");
        assertThat(DatabricksTypes.mapAsObject(null)).isNull();
    }
}
