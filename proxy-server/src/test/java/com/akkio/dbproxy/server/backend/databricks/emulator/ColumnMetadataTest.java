package com.akkio.dbproxy.server.backend.databricks.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The emulator's answers to databricks-jdbc's SHOW COLUMNS command and to Spark's {@code sha2}, on DuckDB. */
class ColumnMetadataTest {
    private Connection duckdb;

    @BeforeEach
    void open() throws SQLException {
        duckdb = DriverManager.getConnection("jdbc:duckdb:");
        ColumnMetadata.installFunctions(duckdb);
        try (Statement s = duckdb.createStatement()) {
            s.execute("ATTACH ':memory:' AS cat");
            s.execute("CREATE SCHEMA cat.crm");
            s.execute("CREATE TABLE cat.crm.contacts (contact_id BIGINT NOT NULL, email VARCHAR,"
                    + " amount DECIMAL(10,2))");
            s.execute("CREATE TABLE cat.crm.contactsx (other INTEGER)");
            s.execute("CREATE TABLE cat.crm.contacts_1 (x INTEGER)");
        }
    }

    @AfterEach
    void close() throws SQLException {
        duckdb.close();
    }

    private List<List<Object>> rows(String sql) throws SQLException {
        List<List<Object>> out = new ArrayList<>();
        try (Statement s = duckdb.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.add(rs.getObject(i));
                }
                out.add(row);
            }
        }
        return out;
    }

    private List<List<Object>> showColumns(String command) throws SQLException {
        return rows(ColumnMetadata.query(duckdb, command, (label, type) -> type.equals("VARCHAR") ? "STRING" : type));
    }

    @Test
    void showColumnsAnswersOneRowPerColumnOfTheMatchingTablesInTheWarehousesShape() throws SQLException {
        List<List<Object>> rows = showColumns("SHOW COLUMNS IN CATALOG `cat` SCHEMA LIKE 'crm' TABLE LIKE 'contacts'");
        // col_name, catalogName, namespace, tableName, columnType, isNullable, ordinalPosition
        assertThat(rows).extracting(r -> List.of(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(8), r.get(10)))
                .containsExactly(List.of("contact_id", "cat", "crm", "contacts", "bigint", "false", 1),
                        List.of("email", "cat", "crm", "contacts", "string", "true", 2),
                        List.of("amount", "cat", "crm", "contacts", "decimal(10,2)", "true", 3));
        assertThat(rows.get(2).subList(5, 8)).as("columnSize, decimalDigits, radix").containsExactly(10, 2, 10);
        assertThat(rows).allSatisfy(r -> assertThat(r).hasSize(13).endsWith("NO", "NO"));
    }

    @Test
    void patternsMatchAsTheDriverSendsThem() throws SQLException {
        assertThat(showColumns("SHOW COLUMNS IN CATALOG `cat` SCHEMA LIKE 'crm' TABLE LIKE 'contacts\\_1'"))
                .singleElement().satisfies(r -> assertThat(r.get(0)).isEqualTo("x"));
        assertThat(showColumns("SHOW COLUMNS IN CATALOG `cat` SCHEMA LIKE 'crm' TABLE LIKE 'contacts_1'"))
                .as("an unescaped _ is any one character").hasSize(1);
        assertThat(showColumns("SHOW COLUMNS IN CATALOG `cat` SCHEMA LIKE 'c%' TABLE LIKE 'contacts*' LIKE 'e*'"))
                .singleElement().satisfies(r -> assertThat(r.get(0)).isEqualTo("email"));
        assertThat(showColumns("SHOW COLUMNS IN CATALOG `other` SCHEMA LIKE 'crm'")).isEmpty();
        assertThat(ColumnMetadata.query(duckdb, "SELECT 1", (l, t) -> t)).isNull();
    }

    @Test
    void sha2Of256BitsIsSparksLowerCaseHexAndUnemulatedLengthsFailClearly() throws SQLException {
        assertThat(rows("SELECT sha2('abc', 256), sha2('abc', 0), sha2(CAST(NULL AS VARCHAR), 256), sha2('abc', 100)"))
                .containsExactly(java.util.Arrays.asList(
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", null, null));
        assertThatThrownBy(() -> rows("SELECT sha2('abc', 512)")).isInstanceOf(SQLException.class)
                .hasMessageContaining("no sha2 of 512 bits");
    }
}
