package com.akkio.dbproxy.server.frontend.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import com.akkio.dbproxy.server.governed.CatalogSnapshot;
import com.akkio.dbproxy.server.types.ValueType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What counts as a catalog query (answered from the tenant's governed catalog) and what does not (it takes the
 * governed path, where the policy decides it): the recogniser on its own, over a catalog built from a snapshot.
 */
class CatalogQueryTest {
    private static CatalogDatabase catalog;

    @BeforeAll
    static void build() throws Exception {
        ValueType bigint = ValueType.of(ValueType.Kind.BIGINT, "BIGINT");
        ValueType text = ValueType.of(ValueType.Kind.TEXT, "VARCHAR");
        CatalogSnapshot snapshot = new CatalogSnapshot(
                List.of(new CatalogSnapshot.Schema("main", "sales"), new CatalogSnapshot.Schema("main", "akkio_out")),
                List.of(new CatalogSnapshot.Table("main", "sales", "orders", false,
                        List.of(new CatalogSnapshot.Column("order_id", bigint, false, null),
                                new CatalogSnapshot.Column("amount", ValueType.decimal("DECIMAL(12,2)", 12, 2), true,
                                        null),
                                new CatalogSnapshot.Column("tenant_tag", text, true, "'acme'")),
                        List.of("order_id"))));
        catalog = CatalogDatabase.build(snapshot, "main", List.of("main", "shared_ref"), "sales", "acme");
    }

    @AfterAll
    static void close() {
        catalog.close();
    }

    private static String rewrite(String sql) throws Exception {
        return CatalogQuery.rewrite(sql, catalog);
    }

    private static List<String> rows(String sql) throws Exception {
        String rewritten = rewrite(sql);
        assertThat(rewritten).as("recognised: " + sql).isNotNull();
        List<String> out = new ArrayList<>();
        try (Statement st = catalog.connection().createStatement(); ResultSet rs = st.executeQuery(rewritten)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    b.append(i == 1 ? "" : "|").append(rs.getString(i));
                }
                out.add(b.toString());
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT * FROM pg_catalog.pg_class",
        "select relname from pg_class c join pg_namespace n on n.oid=c.relnamespace where"
                + " pg_catalog.pg_table_is_visible(c.oid) and relname='orders'",
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'sales'",
        "SELECT c.oid FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(orders)$'"
                + " COLLATE pg_catalog.default",
        "WITH t AS (SELECT oid FROM pg_class) SELECT count(*) FROM t",
        "SELECT 'x'::pg_catalog.text, c.reloftype::pg_catalog.regtype::pg_catalog.text FROM pg_catalog.pg_class c",
        "SELECT a.attname FROM pg_attribute a JOIN pg_index ix ON a.attnum = ANY(ix.indkey)",
        "SELECT current_database() AS \"TABLE_CAT\", n.nspname FROM pg_catalog.pg_namespace n,"
                + " pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_description d ON (c.oid = d.objoid AND"
                + " d.objsubid = 0 and d.classoid = 'pg_class'::regclass) WHERE c.relname LIKE $1",
        // pgjdbc's getIndexInfo
        "SELECT     tmp.TABLE_CAT AS \"TABLE_CAT\",     tmp.TABLE_SCHEM AS \"TABLE_SCHEM\",     tmp.TABLE_NAME AS \"TABLE_NAME\",     tmp.NON_UNIQUE AS \"NON_UNIQUE\",     tmp.INDEX_QUALIFIER AS \"INDEX_QUALIFIER\",     tmp.INDEX_NAME AS \"INDEX_NAME\",     tmp.TYPE AS \"TYPE\",     tmp.ORDINAL_POSITION AS \"ORDINAL_POSITION\",     trim(both '\"' from pg_catalog.pg_get_indexdef(tmp.CI_OID, tmp.ORDINAL_POSITION, false)) AS \"COLUMN_NAME\",   CASE tmp.AM_NAME     WHEN 'btree' THEN CASE tmp.I_INDOPTION[tmp.ORDINAL_POSITION - 1] & 1::smallint       WHEN 1 THEN 'D'       ELSE 'A'     END     ELSE NULL   END AS \"ASC_OR_DESC\",     tmp.CARDINALITY AS \"CARDINALITY\",     tmp.PAGES AS \"PAGES\",     tmp.FILTER_CONDITION AS \"FILTER_CONDITION\",     tmp.REMARKS AS \"REMARKS\"FROM (SELECT current_database() AS TABLE_CAT,  n.nspname AS TABLE_SCHEM,   ct.relname AS TABLE_NAME, NOT i.indisunique AS NON_UNIQUE,   NULL AS INDEX_QUALIFIER, ci.relname AS INDEX_NAME,   CASE i.indisclustered     WHEN true THEN 1    ELSE CASE am.amname       WHEN 'hash' THEN 2      ELSE 3    END   END AS TYPE,   (information_schema._pg_expandarray(i.indkey)).n AS ORDINAL_POSITION,   ci.reltuples AS CARDINALITY,   ci.relpages AS PAGES,   pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS FILTER_CONDITION,   ci.oid AS CI_OID,   i.indoption AS I_INDOPTION,   am.amname AS AM_NAME,   d.description AS REMARKS FROM pg_catalog.pg_class ct   JOIN pg_catalog.pg_namespace n ON (ct.relnamespace = n.oid)   JOIN pg_catalog.pg_index i ON (ct.oid = i.indrelid)   JOIN pg_catalog.pg_class ci ON (ci.oid = i.indexrelid)   JOIN pg_catalog.pg_am am ON (ci.relam = am.oid)   LEFT JOIN pg_catalog.pg_description d ON (ci.oid = d.objoid) WHERE true  AND n.nspname = $1 AND ct.relname = $2) AS tmp ORDER BY \"NON_UNIQUE\", \"TYPE\", \"INDEX_NAME\", \"ORDINAL_POSITION\""
    })
    void catalogQueriesAreRecognised(String sql) throws Exception {
        assertThat(CatalogQuery.rejection(sql, catalog)).as(sql).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // data tables, alone or joined with a catalog table: the policy decides them
        "SELECT * FROM orders",
        "SELECT * FROM pg_catalog.pg_class c JOIN sales.orders o ON true",
        "SELECT * FROM pg_class WHERE oid IN (SELECT order_id FROM orders)",
        "SELECT (SELECT count(*) FROM main.sales.orders) FROM pg_class",
        "SELECT * FROM information_schema.tables, globex_prod.sales.orders",
        // functions that reach outside, whatever they are given
        "SELECT pg_read_file('/etc/passwd') FROM pg_class",
        "SELECT * FROM pg_class, read_csv('/etc/passwd')",
        "SELECT * FROM read_csv_auto('/etc/passwd') JOIN pg_class ON true",
        "SELECT getenv('HOME') FROM pg_namespace",
        "SELECT current_setting('duckdb_api') FROM pg_namespace",
        "SELECT * FROM pg_class, duckdb_tables()",
        "SELECT * FROM pg_class, glob('/*')",
        "SELECT query_table('orders') FROM pg_class",
        "SELECT * FROM pg_class WHERE relname = (SELECT name FROM duckdb_databases() LIMIT 1)",
        "SELECT myschema.f(oid) FROM pg_class",
        // names DuckDB would resolve elsewhere: its own catalogs, schemas and tables
        "SELECT * FROM system.pg_catalog.pg_class",
        "SELECT * FROM pgc.pg_class",
        "SELECT * FROM main.pg_catalog.pg_class",
        "SELECT * FROM duckdb_tables",
        "SELECT * FROM pg_catalog.duckdb_settings",
        "SELECT * FROM information_schema.pg_class",
        "SELECT * FROM pg_catalog.tables",
        // not a query, or more than one
        "DELETE FROM pg_class",
        "CREATE TABLE pg_class AS SELECT 1",
        "SELECT * FROM pg_class; SELECT * FROM orders",
        "COPY pg_class TO '/tmp/x'",
        "ATTACH '/tmp/x.db' AS pg_catalog",
        // no catalog table at all
        "SELECT 1",
        "SELECT 'pg_class'",
        // casts to types the catalog does not have
        "SELECT oid::my_type FROM pg_class",
        "SELECT * FROM pg_class TABLESAMPLE 10%",
    })
    void everythingElseTakesTheGovernedPath(String sql) throws Exception {
        assertThat(rewrite(sql)).as(sql).isNull();
    }

    @Test
    void theCatalogHoldsOnlyTheSnapshotUnderItsLogicalNames() throws Exception {
        assertThat(rows("SELECT nspname FROM pg_namespace ORDER BY 1"))
                .containsExactly("akkio_out", "information_schema", "pg_catalog", "sales");
        assertThat(rows("SELECT datname FROM pg_database ORDER BY 1")).containsExactly("main", "shared_ref");
        assertThat(rows("SELECT relname, relkind FROM pg_class ORDER BY 1"))
                .containsExactly("orders|r", "orders_pkey|i");
        assertThat(rows("SELECT table_catalog, table_schema, table_name FROM information_schema.tables"))
                .containsExactly("main|sales|orders");
    }

    @Test
    void columnsCarryPostgresTypesModifiersKeysAndDefaults() throws Exception {
        assertThat(rows("SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,"
                + " pg_catalog.pg_get_expr(d.adbin, d.adrelid) FROM pg_catalog.pg_attribute a LEFT JOIN"
                + " pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + " WHERE a.attrelid = 'sales.orders'::regclass ORDER BY a.attnum"))
                .containsExactly("order_id|bigint|true|null", "amount|numeric(12,2)|false|null",
                        "tenant_tag|character varying|false|'acme'");
        assertThat(rows("SELECT pg_catalog.pg_get_constraintdef(oid, true) FROM pg_constraint"))
                .containsExactly("PRIMARY KEY (order_id)");
    }

    @Test
    void postgresRegularExpressionsSearchRatherThanMatchTheWholeText() throws Exception {
        assertThat(rows("SELECT nspname FROM pg_namespace WHERE nspname ~ 'out' ORDER BY 1"))
                .containsExactly("akkio_out");
        assertThat(rows("SELECT count(*) FROM pg_namespace WHERE nspname !~ '^pg_'")).containsExactly("3");
    }

    @Test
    void textInLiteralsAndCommentsIsLeftAlone() {
        String sql = "SELECT 'OPERATOR(pg_catalog.~)' /* COLLATE pg_catalog.default */ FROM pg_class"
                + " WHERE relname OPERATOR(pg_catalog.=) 'x' -- ::pg_catalog.text";
        assertThat(CatalogQuery.normalise(sql)).isEqualTo("SELECT 'OPERATOR(pg_catalog.~)' /* COLLATE"
                + " pg_catalog.default */ FROM pg_class WHERE relname  =  'x' -- ::pg_catalog.text");
    }

    @Test
    void theCatalogDatabaseCannotReadFilesOrChangeItsSettings() throws Exception {
        try (Statement st = catalog.connection().createStatement()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> st.executeQuery(
                    "SELECT * FROM read_csv('/etc/passwd')")).hasMessageContaining("disabled");
        }
        try (Statement st = catalog.connection().createStatement()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> st.execute(
                    "SET enable_external_access = true")).hasMessageContaining("locked");
        }
    }
}
