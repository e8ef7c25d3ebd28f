package com.akkio.dbproxy.server.governed;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.akkio.dbproxy.policy.ObjectPattern;
import com.akkio.dbproxy.policy.QualifiedName;
import com.akkio.dbproxy.policy.TenantPolicy;
import com.akkio.dbproxy.server.backend.TypeMapping;

/**
 * Reads a {@link CatalogSnapshot} from a backend connection's {@code DatabaseMetaData}: only the catalogs the
 * tenant's patterns name are asked about (never a listing of every catalog the backend holds), every table is kept
 * only if the policy lets the tenant read it, and physical catalog names become logical ones.
 */
final class CatalogReader {
    private final TenantPolicy policy;
    private final TypeMapping types;

    CatalogReader(TenantPolicy policy, TypeMapping types) {
        this.policy = policy;
        this.types = types;
    }

    CatalogSnapshot read(Connection connection) throws SQLException {
        DatabaseMetaData md = connection.getMetaData();
        Set<String> physicalCatalogs = new LinkedHashSet<>();
        boolean globs = false;
        for (ObjectPattern p : patterns()) {
            if (p.literalCatalog() != null) {
                physicalCatalogs.add(p.literalCatalog());
            } else {
                globs = true;
            }
        }
        if (globs) {
            try (ResultSet rs = md.getCatalogs()) {
                while (rs.next()) {
                    String c = rs.getString(1);
                    if (c != null && patterns().stream().anyMatch(p -> p.matchesCatalog(c.toLowerCase(Locale.ROOT)))) {
                        physicalCatalogs.add(c.toLowerCase(Locale.ROOT));
                    }
                }
            }
        }
        List<CatalogSnapshot.Schema> schemas = new ArrayList<>();
        List<CatalogSnapshot.Table> tables = new ArrayList<>();
        for (String physical : physicalCatalogs) {
            String logical = policy.logicalCatalog(physical);
            try (ResultSet rs = md.getSchemas(physical, null)) {
                while (rs.next()) {
                    String schema = rs.getString(1);
                    if (schema != null && schemaVisible(physical, schema)) {
                        schemas.add(new CatalogSnapshot.Schema(logical, schema));
                    }
                }
            }
            Map<String, String[]> found = new TreeMap<>();
            try (ResultSet rs = md.getTables(physical, null, null, null)) {
                while (rs.next()) {
                    String catalog = rs.getString(1);
                    String schema = rs.getString(2);
                    String table = rs.getString(3);
                    String type = String.valueOf(rs.getString(4)).toUpperCase(Locale.ROOT);
                    if (catalog != null && catalog.equalsIgnoreCase(physical) && schema != null && table != null
                            && (type.contains("TABLE") || type.contains("VIEW"))
                            && policy.canRead(new QualifiedName(catalog, schema, table))) {
                        found.put(schema + "\u0000" + table, new String[] {catalog, schema, table, type});
                    }
                }
            }
            for (String[] t : found.values()) {
                tables.add(new CatalogSnapshot.Table(logical, t[1], t[2], t[3].contains("VIEW"),
                        columns(md, t[0], t[1], t[2]), primaryKey(md, t[0], t[1], t[2])));
            }
        }
        return new CatalogSnapshot(schemas, tables);
    }

    private List<CatalogSnapshot.Column> columns(DatabaseMetaData md, String catalog, String schema, String table)
            throws SQLException {
        return eachColumn(md, catalog, schema, table, rs -> new CatalogSnapshot.Column(rs.getString("COLUMN_NAME"),
                types.typeOf(rs.getString("TYPE_NAME"), rs.getInt("DATA_TYPE"), rs.getInt("COLUMN_SIZE"),
                        rs.getInt("DECIMAL_DIGITS")),
                rs.getInt("NULLABLE") != DatabaseMetaData.columnNoNulls, rs.getString("COLUMN_DEF")));
    }

    /** The names of a table's columns in their order: what the views of filtered and masked tables list. */
    static List<String> columnNames(DatabaseMetaData md, String catalog, String schema, String table)
            throws SQLException {
        return eachColumn(md, catalog, schema, table, rs -> rs.getString("COLUMN_NAME"));
    }

    /** One metadata row of a column, read into a value. */
    private interface ColumnRow<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** Each column of exactly this table (a metadata pattern also matches others), read by {@code row}, in order. */
    private static <T> List<T> eachColumn(DatabaseMetaData md, String catalog, String schema, String table,
                                          ColumnRow<T> row) throws SQLException {
        Map<Integer, T> byPosition = new TreeMap<>();
        try (ResultSet rs = md.getColumns(catalog, escape(md, schema), escape(md, table), null)) {
            while (rs.next()) {
                if (!schema.equals(rs.getString("TABLE_SCHEM")) || !table.equals(rs.getString("TABLE_NAME"))) {
                    continue;
                }
                int position = rs.getInt("ORDINAL_POSITION");
                byPosition.put(position > 0 ? position : byPosition.size() + 1, row.read(rs));
            }
        }
        return new ArrayList<>(byPosition.values());
    }

    /** Primary key columns in key order; a backend without keys (or that cannot say) gives none. */
    private static List<String> primaryKey(DatabaseMetaData md, String catalog, String schema, String table) {
        Map<Integer, String> bySeq = new TreeMap<>();
        try (ResultSet rs = md.getPrimaryKeys(catalog, schema, table)) {
            while (rs.next()) {
                bySeq.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME"));
            }
        } catch (SQLException | RuntimeException e) {
            return List.of(); // keys are informational: the tables and columns are what matter
        }
        return new ArrayList<>(bySeq.values());
    }

    /** A name used as a metadata pattern: its {@code _} and {@code %} must match only themselves. */
    private static String escape(DatabaseMetaData md, String name) throws SQLException {
        String esc = md.getSearchStringEscape();
        if (esc == null || esc.isEmpty()) {
            return name;
        }
        return name.replace(esc, esc + esc).replace("_", esc + "_").replace("%", esc + "%");
    }

    private boolean schemaVisible(String catalog, String schema) {
        String c = catalog.toLowerCase(Locale.ROOT);
        String s = schema.toLowerCase(Locale.ROOT);
        for (ObjectPattern p : patterns()) {
            if (p.coversSchema(c, s)) {
                return true;
            }
        }
        return false;
    }

    private List<ObjectPattern> patterns() {
        List<ObjectPattern> all = new ArrayList<>(policy.readable());
        all.addAll(policy.writable());
        return all;
    }
}
