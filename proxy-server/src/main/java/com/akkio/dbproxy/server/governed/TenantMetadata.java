package com.akkio.dbproxy.server.governed;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.akkio.dbproxy.server.backend.BackendMeta;
import com.akkio.dbproxy.server.backend.TypeMapping;
import com.akkio.dbproxy.policy.ObjectPattern;
import com.akkio.dbproxy.policy.QualifiedName;
import com.akkio.dbproxy.policy.TenantPolicy;
import com.akkio.dbproxy.server.types.ValueType;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;

/**
 * JDBC metadata as one tenant may see it: the backend's answer, with every row the tenant may not read removed and
 * physical catalog names replaced by the tenant's logical ones. A catalog argument from the client is logical and is
 * mapped before the backend is asked. Column types are the ones results of those columns have (the backend's type
 * mapping), and the type list is the mapping's.
 */
final class TenantMetadata {
    private final TenantPolicy policy;
    private final BackendMeta backend;
    private final Connection connection;

    TenantMetadata(TenantPolicy policy, BackendMeta backend, Connection connection) {
        this.policy = policy;
        this.backend = backend;
        this.connection = connection;
    }

    private TypeMapping types() {
        return backend.backend().types();
    }

    /** The rows and columns of one filtered answer. */
    record Answer(List<ColumnMetaData> columns, List<Object> rows) {
    }

    Answer catalogs() throws SQLException {
        DatabaseMetaData md = connection.getMetaData();
        try (ResultSet rs = md.getCatalogs()) {
            return filter(rs, row -> catalogVisible(text(row[0])), row -> row[0] = logical(text(row[0])));
        }
    }

    Answer schemas(String catalog, String schemaPattern) throws SQLException {
        try (ResultSet rs = connection.getMetaData().getSchemas(physical(catalog), schemaPattern)) {
            // JDBC order: TABLE_SCHEM, TABLE_CATALOG
            return filter(rs, row -> schemaVisible(text(row[1]), text(row[0])), row -> row[1] = logical(text(row[1])));
        }
    }

    /** The table types JDBC tools ask for; DuckDB's own names ("BASE TABLE") are given as these. */
    static final List<String> TABLE_TYPES = List.of("TABLE", "VIEW");

    Answer tableTypes() {
        List<Object> rows = new ArrayList<>();
        for (String type : TABLE_TYPES) {
            rows.add(new Object[] {type});
        }
        return new Answer(List.of(org.apache.calcite.avatica.MetaImpl.columnMetaData("TABLE_TYPE", 0, String.class,
                false)), rows);
    }

    /**
     * Unquoted names are case-insensitive in the backends the proxy serves (DuckDB, Databricks), and the client jar
     * reports that they are stored in lower case; a tool that asks for {@code ORDERS} (sqlline's {@code !columns},
     * a user typing the name as in a query) finds {@code orders}: a name pattern with capitals that finds nothing is
     * asked again in lower case (a table created with capitals is still found under its own name first).
     */
    private interface NamedQuery {
        Answer run(String schemaPattern, String tablePattern) throws SQLException;
    }

    private static Answer caseInsensitive(String schemaPattern, String tablePattern, NamedQuery query)
            throws SQLException {
        Answer answer = query.run(schemaPattern, tablePattern);
        String schemaLower = lower(schemaPattern);
        String tableLower = lower(tablePattern);
        if (!answer.rows().isEmpty() || (java.util.Objects.equals(schemaLower, schemaPattern)
                && java.util.Objects.equals(tableLower, tablePattern))) {
            return answer;
        }
        return query.run(schemaLower, tableLower);
    }

    private static String lower(String name) {
        return name == null ? null : name.toLowerCase(Locale.ROOT);
    }

    /** Tables of the requested standard types ({@link #TABLE_TYPES}; null: all), as the backend's own types map. */
    Answer tables(String catalog, String schemaPattern, String tablePattern, String[] types) throws SQLException {
        return caseInsensitive(schemaPattern, tablePattern, (schema, table) -> tablesNamed(catalog, schema, table,
                types));
    }

    private Answer tablesNamed(String catalog, String schemaPattern, String tablePattern, String[] types)
            throws SQLException {
        List<String> wanted = types == null ? null : List.of(types);
        try (ResultSet rs = connection.getMetaData().getTables(physical(catalog), schemaPattern, tablePattern, null)) {
            return filter(rs, row -> tableVisible(row) && (wanted == null || wanted.contains(standardType(row[3]))),
                    row -> {
                        row[0] = logical(text(row[0]));
                        row[3] = standardType(row[3]);
                    });
        }
    }

    /** JDBC's table type for a backend's: DuckDB says "BASE TABLE" where JDBC tools ask for "TABLE". */
    private static String standardType(Object backendType) {
        String type = text(backendType);
        return "BASE TABLE".equalsIgnoreCase(type) ? "TABLE" : type;
    }

    Answer columns(String catalog, String schemaPattern, String tablePattern, String columnPattern)
            throws SQLException {
        return caseInsensitive(schemaPattern, tablePattern, (schema, table) -> caseInsensitive(null, columnPattern,
                (ignored, column) -> columnsNamed(catalog, schema, table, column)));
    }

    private Answer columnsNamed(String catalog, String schemaPattern, String tablePattern, String columnPattern)
            throws SQLException {
        try (ResultSet rs = connection.getMetaData().getColumns(physical(catalog), schemaPattern, tablePattern,
                columnPattern)) {
            return filter(rs, this::tableVisible, row -> {
                row[0] = logical(text(row[0]));
                typed(row);
            });
        }
    }

    /**
     * The primary key columns of a table the tenant may read, as the backend reports them (JDBC order: TABLE_CAT,
     * TABLE_SCHEM, TABLE_NAME, COLUMN_NAME, KEY_SEQ, PK_NAME); a table it may not read has none, as one without a key.
     */
    Answer primaryKeys(String catalog, String schema, String table) throws SQLException {
        return caseInsensitive(schema, table, (s, t) -> {
            try (ResultSet rs = connection.getMetaData().getPrimaryKeys(physical(catalog), s, t)) {
                return filter(rs, this::tableVisible, row -> row[0] = logical(text(row[0])));
            }
        });
    }

    /** Which foreign keys a JDBC call lists: those of a table, those referring to it, or those between two. */
    enum KeyDirection { IMPORTED, EXPORTED }

    /**
     * The foreign keys of a table ({@code IMPORTED}: JDBC's getImportedKeys) or referring to it ({@code EXPORTED}:
     * getExportedKeys), in JDBC's order (PKTABLE_CAT, PKTABLE_SCHEM, PKTABLE_NAME, PKCOLUMN_NAME, FKTABLE_CAT, …);
     * a key is listed only if the tenant may read both of its tables, under their logical catalogs.
     */
    Answer foreignKeys(KeyDirection direction, String catalog, String schema, String table) throws SQLException {
        return caseInsensitive(schema, table, (s, t) -> {
            try (ResultSet rs = direction == KeyDirection.IMPORTED
                    ? connection.getMetaData().getImportedKeys(physical(catalog), s, t)
                    : connection.getMetaData().getExportedKeys(physical(catalog), s, t)) {
                return foreignKeys(rs);
            }
        });
    }

    /** The foreign keys from one table to another (JDBC's getCrossReference), as {@link #foreignKeys}. */
    Answer crossReference(String pkCatalog, String pkSchema, String pkTable, String fkCatalog, String fkSchema,
                          String fkTable) throws SQLException {
        try (ResultSet rs = connection.getMetaData().getCrossReference(physical(pkCatalog), pkSchema, pkTable,
                physical(fkCatalog), fkSchema, fkTable)) {
            return foreignKeys(rs);
        }
    }

    private Answer foreignKeys(ResultSet rs) throws SQLException {
        return filter(rs, row -> tableVisible(row) && tableVisible(java.util.Arrays.copyOfRange(row, 4, 7)), row -> {
            row[0] = logical(text(row[0]));
            row[4] = logical(text(row[4]));
        });
    }

    /**
     * A getColumns row with the JDBC type (DATA_TYPE) and type name a result of the column has, and a DECIMAL's
     * precision and scale (COLUMN_SIZE, DECIMAL_DIGITS) as results report them (a HUGEINT is a DECIMAL(39,0)).
     */
    private void typed(Object[] row) {
        ValueType type = types().typeOf(text(row[5]), number(row[4]), number(row[6]), number(row[8]));
        row[4] = type.kind().jdbcType;
        row[5] = type.name();
        if (type.kind() == ValueType.Kind.DECIMAL) {
            row[6] = type.precision();
            row[8] = type.scale();
        }
    }

    private static int number(Object value) {
        return value == null ? 0 : ((Number) value).intValue();
    }

    /** One row per type the backend's results can have, as JDBC's getTypeInfo lists them, by JDBC type. */
    Answer typeInfo() {
        List<ColumnMetaData> columns = new ArrayList<>();
        String[] names = {"TYPE_NAME", "DATA_TYPE", "PRECISION", "LITERAL_PREFIX", "LITERAL_SUFFIX", "CREATE_PARAMS",
            "NULLABLE", "CASE_SENSITIVE", "SEARCHABLE", "UNSIGNED_ATTRIBUTE", "FIXED_PREC_SCALE", "AUTO_INCREMENT",
            "LOCAL_TYPE_NAME", "MINIMUM_SCALE", "MAXIMUM_SCALE", "SQL_DATA_TYPE", "SQL_DATETIME_SUB",
            "NUM_PREC_RADIX"};
        ValueType.Kind[] kinds = {ValueType.Kind.TEXT, ValueType.Kind.INTEGER, ValueType.Kind.INTEGER,
            ValueType.Kind.TEXT, ValueType.Kind.TEXT, ValueType.Kind.TEXT, ValueType.Kind.SMALLINT,
            ValueType.Kind.BOOLEAN, ValueType.Kind.SMALLINT, ValueType.Kind.BOOLEAN, ValueType.Kind.BOOLEAN,
            ValueType.Kind.BOOLEAN, ValueType.Kind.TEXT, ValueType.Kind.SMALLINT, ValueType.Kind.SMALLINT,
            ValueType.Kind.INTEGER, ValueType.Kind.INTEGER, ValueType.Kind.INTEGER};
        for (int i = 0; i < names.length; i++) {
            ValueType t = ValueType.of(kinds[i], kinds[i].name());
            columns.add(new ColumnMetaData(i, false, false, false, false, DatabaseMetaData.columnNullable,
                    t.signed(), 0, names[i], names[i], null, 0, 0, null, null, t.avaticaType(), true, false, false,
                    t.javaClassName()));
        }
        List<Object> rows = new ArrayList<>();
        types().types().stream().sorted(java.util.Comparator.comparingInt(t -> t.kind().jdbcType)).forEach(t -> {
            boolean text = t.kind() == ValueType.Kind.TEXT || t.kind().jdbcType == java.sql.Types.OTHER;
            rows.add(new Object[] {t.name(), t.kind().jdbcType, t.precision(), text ? "'" : null,
                text ? "'" : null, t.kind() == ValueType.Kind.DECIMAL ? "precision,scale" : null,
                (short) DatabaseMetaData.typeNullable, text, (short) DatabaseMetaData.typeSearchable, !t.signed(),
                false, false, t.name(), (short) 0, (short) t.scale(), null, null,
                t.signed() ? 10 : null});
        });
        return new Answer(columns, rows);
    }

    private boolean tableVisible(Object[] row) {
        String catalog = text(row[0]);
        String schema = text(row[1]);
        String table = text(row[2]);
        return catalog != null && schema != null && table != null
                && policy.canRead(new QualifiedName(catalog, schema, table));
    }

    private boolean catalogVisible(String catalog) {
        if (catalog == null) {
            return false;
        }
        String c = catalog.toLowerCase(Locale.ROOT);
        return anyPattern(p -> p.matchesCatalog(c));
    }

    private boolean schemaVisible(String catalog, String schema) {
        if (catalog == null || schema == null) {
            return false;
        }
        String c = catalog.toLowerCase(Locale.ROOT);
        String s = schema.toLowerCase(Locale.ROOT);
        return anyPattern(p -> p.coversSchema(c, s));
    }

    private boolean anyPattern(java.util.function.Predicate<ObjectPattern> test) {
        for (ObjectPattern p : policy.readable()) {
            if (test.test(p)) {
                return true;
            }
        }
        for (ObjectPattern p : policy.writable()) {
            if (test.test(p)) {
                return true;
            }
        }
        return false;
    }

    /** A client's catalog argument: null or a pattern stays as it is, a logical name becomes physical. */
    private String physical(String catalog) {
        return catalog == null ? null : policy.physicalCatalog(catalog.toLowerCase(Locale.ROOT));
    }

    private String logical(String physical) {
        return physical == null ? null : policy.logicalCatalog(physical.toLowerCase(Locale.ROOT));
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    private Answer filter(ResultSet rs, java.util.function.Predicate<Object[]> keep,
                          java.util.function.Consumer<Object[]> rename) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<ColumnMetaData> columns = backend.describe(md);
        ValueType[] types = new ValueType[n];
        for (int i = 0; i < n; i++) {
            types[i] = types().typeOf(md, i + 1);
        }
        List<Object> rows = new ArrayList<>();
        while (rs.next()) {
            Object[] row = new Object[n];
            for (int i = 0; i < n; i++) {
                row[i] = types().read(rs, i + 1, types[i]);
            }
            if (keep.test(row)) {
                rename.accept(row);
                rows.add(row);
            }
        }
        return new Answer(columns, rows);
    }

    static Meta.Signature signature(Answer answer) {
        return Meta.Signature.create(answer.columns(), "", List.of(), Meta.CursorFactory.ARRAY,
                Meta.StatementType.SELECT);
    }
}
