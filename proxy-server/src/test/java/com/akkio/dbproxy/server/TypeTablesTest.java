package com.akkio.dbproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * README's type tables are the matrix tests' expectations (AvaticaTypeMatrixTest, PgTypeMatrixTest and the Python
 * matrices read them): each has one row for every column of the demo's type_zoo, in its order, named by its DuckDB
 * type, so that no type goes untested and no row describes a column that is not there.
 */
class TypeTablesTest {
    @ParameterizedTest
    @ValueSource(strings = {"### DuckDB over Avatica (the client jar, protobuf and JSON alike)",
        "### DuckDB over the PostgreSQL wire"})
    void eachTypeTableHasARowForEveryTypeZooColumnAndNoOther(String heading) throws Exception {
        Map<String, Map<String, String>> rows = ReadmeTables.byFirstColumn(heading);
        assertThat(rows.keySet()).containsExactlyElementsOf(TypeZoo.COLUMNS.stream().map(TypeZoo.Column::name)
                .toList());
        TypeZoo.COLUMNS.forEach(c -> assertThat(rows.get(c.name()).get("DuckDB type")).as(c.name())
                .isEqualTo(c.duckdbType()));
    }
}
