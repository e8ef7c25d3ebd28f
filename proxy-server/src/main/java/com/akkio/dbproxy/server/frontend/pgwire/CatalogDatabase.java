package com.akkio.dbproxy.server.frontend.pgwire;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.akkio.dbproxy.server.config.DuckDbLockdown;
import com.akkio.dbproxy.server.governed.CatalogSnapshot;

/**
 * One tenant's governed catalog: a data-free, in-memory DuckDB of its own holding PostgreSQL-shaped catalog tables
 * ({@code pg_namespace}, {@code pg_class}, {@code pg_attribute}, {@code pg_type}, {@code pg_index},
 * {@code pg_constraint}, … in schema {@code pgc}; {@code information_schema}'s views as tables in schema {@code isc})
 * filled from a {@link CatalogSnapshot}, which holds only what the tenant may see, under its logical names. No table
 * of this database holds a row of tenant data, and it is locked down like the backend (no files, no network, no
 * extensions, no configuration changes), so a catalog query that ran here can show nothing the policy does not
 * already show through JDBC metadata. The PostgreSQL database is the tenant's default logical catalog; its schemas
 * are that catalog's visible ones, write-back schemas included; every logical catalog is a row of
 * {@code pg_database}.
 */
final class CatalogDatabase implements AutoCloseable {
    /** Fixed OIDs PostgreSQL itself uses; tenant objects are numbered from {@link #FIRST_OID} in snapshot order. */
    static final long PG_CATALOG_OID = 11;
    static final long INFORMATION_SCHEMA_OID = 13000;
    private static final long FIRST_OID = 16384;
    private static final String OWNER = "akkio";

    /** Every pgc/isc table, as created; each row is filled by {@link Filler}. */
    private static final List<String> TABLES = List.of(
            "pgc.pg_database(oid BIGINT, datname VARCHAR, datdba BIGINT, encoding INTEGER, datcollate VARCHAR,"
                    + " datctype VARCHAR, datistemplate BOOLEAN, datallowconn BOOLEAN, datconnlimit INTEGER,"
                    + " dattablespace BIGINT, datacl VARCHAR[])",
            "pgc.pg_namespace(oid BIGINT, nspname VARCHAR, nspowner BIGINT, nspacl VARCHAR[])",
            "pgc.pg_class(oid BIGINT, relname VARCHAR, relnamespace BIGINT, reltype BIGINT, reloftype BIGINT,"
                    + " relowner BIGINT, relam BIGINT, relfilenode BIGINT, reltablespace BIGINT, relpages INTEGER,"
                    + " reltuples REAL, relallvisible INTEGER, reltoastrelid BIGINT, relhasindex BOOLEAN,"
                    + " relisshared BOOLEAN, relpersistence VARCHAR, relkind VARCHAR, relnatts SMALLINT,"
                    + " relchecks SMALLINT, relhasrules BOOLEAN, relhastriggers BOOLEAN, relhassubclass BOOLEAN,"
                    + " relrowsecurity BOOLEAN, relforcerowsecurity BOOLEAN, relispopulated BOOLEAN,"
                    + " relreplident VARCHAR, relispartition BOOLEAN, relrewrite BIGINT, relfrozenxid BIGINT,"
                    + " relminmxid BIGINT, relacl VARCHAR[], reloptions VARCHAR[], relpartbound VARCHAR,"
                    + " relhasoids BOOLEAN)",
            "pgc.pg_attribute(attrelid BIGINT, attname VARCHAR, atttypid BIGINT, attstattarget INTEGER,"
                    + " attlen SMALLINT, attnum SMALLINT, attndims INTEGER, attcacheoff INTEGER, atttypmod INTEGER,"
                    + " attbyval BOOLEAN, attstorage VARCHAR, attalign VARCHAR, attnotnull BOOLEAN, atthasdef BOOLEAN,"
                    + " atthasmissing BOOLEAN, attidentity VARCHAR, attgenerated VARCHAR, attisdropped BOOLEAN,"
                    + " attislocal BOOLEAN, attinhcount INTEGER, attcollation BIGINT, attacl VARCHAR[],"
                    + " attoptions VARCHAR[], attfdwoptions VARCHAR[], attmissingval VARCHAR, attcompression VARCHAR)",
            "pgc.pg_type(oid BIGINT, typname VARCHAR, typnamespace BIGINT, typowner BIGINT, typlen SMALLINT,"
                    + " typbyval BOOLEAN, typtype VARCHAR, typcategory VARCHAR, typispreferred BOOLEAN,"
                    + " typisdefined BOOLEAN, typdelim VARCHAR, typrelid BIGINT, typsubscript VARCHAR,"
                    + " typelem BIGINT, typarray BIGINT, typinput VARCHAR, typoutput VARCHAR, typreceive VARCHAR,"
                    + " typsend VARCHAR, typmodin VARCHAR, typmodout VARCHAR, typanalyze VARCHAR, typalign VARCHAR,"
                    + " typstorage VARCHAR, typnotnull BOOLEAN, typbasetype BIGINT, typtypmod INTEGER,"
                    + " typndims INTEGER, typcollation BIGINT, typdefaultbin VARCHAR, typdefault VARCHAR,"
                    + " typacl VARCHAR[], akkio_format VARCHAR)",
            "pgc.pg_index(indexrelid BIGINT, indrelid BIGINT, indnatts SMALLINT, indnkeyatts SMALLINT,"
                    + " indisunique BOOLEAN, indnullsnotdistinct BOOLEAN, indisprimary BOOLEAN,"
                    + " indisexclusion BOOLEAN, indimmediate BOOLEAN, indisclustered BOOLEAN, indisvalid BOOLEAN,"
                    + " indcheckxmin BOOLEAN, indisready BOOLEAN, indislive BOOLEAN, indisreplident BOOLEAN,"
                    + " indkey SMALLINT[], indcollation BIGINT[], indclass BIGINT[], indoption SMALLINT[],"
                    + " indexprs VARCHAR, indpred VARCHAR)",
            "pgc.pg_constraint(oid BIGINT, conname VARCHAR, connamespace BIGINT, contype VARCHAR,"
                    + " condeferrable BOOLEAN, condeferred BOOLEAN, convalidated BOOLEAN, conrelid BIGINT,"
                    + " contypid BIGINT, conindid BIGINT, conparentid BIGINT, confrelid BIGINT, confupdtype VARCHAR,"
                    + " confdeltype VARCHAR, confmatchtype VARCHAR, conislocal BOOLEAN, coninhcount INTEGER,"
                    + " connoinherit BOOLEAN, conkey SMALLINT[], confkey SMALLINT[], conpfeqop BIGINT[],"
                    + " conppeqop BIGINT[], conffeqop BIGINT[], conexclop BIGINT[], conbin VARCHAR)",
            "pgc.pg_attrdef(oid BIGINT, adrelid BIGINT, adnum SMALLINT, adbin VARCHAR)",
            "pgc.pg_description(objoid BIGINT, classoid BIGINT, objsubid INTEGER, description VARCHAR)",
            "pgc.pg_shdescription(objoid BIGINT, classoid BIGINT, description VARCHAR)",
            "pgc.pg_am(oid BIGINT, amname VARCHAR, amhandler VARCHAR, amtype VARCHAR)",
            "pgc.pg_proc(oid BIGINT, proname VARCHAR, pronamespace BIGINT, proowner BIGINT, prolang BIGINT,"
                    + " procost REAL, prorows REAL, provariadic BIGINT, prosupport VARCHAR, prokind VARCHAR,"
                    + " prosecdef BOOLEAN, proleakproof BOOLEAN, proisstrict BOOLEAN, proretset BOOLEAN,"
                    + " provolatile VARCHAR, proparallel VARCHAR, pronargs SMALLINT, pronargdefaults SMALLINT,"
                    + " prorettype BIGINT, proargtypes BIGINT[], proallargtypes BIGINT[], proargmodes VARCHAR[],"
                    + " proargnames VARCHAR[], proargdefaults VARCHAR, protrftypes BIGINT[], prosrc VARCHAR,"
                    + " probin VARCHAR, prosqlbody VARCHAR, proconfig VARCHAR[], proacl VARCHAR[])",
            "pgc.pg_inherits(inhrelid BIGINT, inhparent BIGINT, inhseqno INTEGER, inhdetachpending BOOLEAN)",
            "pgc.pg_enum(oid BIGINT, enumtypid BIGINT, enumsortorder REAL, enumlabel VARCHAR)",
            "pgc.pg_sequence(seqrelid BIGINT, seqtypid BIGINT, seqstart BIGINT, seqincrement BIGINT, seqmax BIGINT,"
                    + " seqmin BIGINT, seqcache BIGINT, seqcycle BOOLEAN)",
            "pgc.pg_trigger(oid BIGINT, tgrelid BIGINT, tgname VARCHAR, tgenabled VARCHAR, tgisinternal BOOLEAN)",
            "pgc.pg_rewrite(oid BIGINT, rulename VARCHAR, ev_class BIGINT)",
            "pgc.pg_policy(oid BIGINT, polname VARCHAR, polrelid BIGINT, polcmd VARCHAR, polpermissive BOOLEAN,"
                    + " polroles BIGINT[], polqual VARCHAR, polwithcheck VARCHAR)",
            "pgc.pg_statistic_ext(oid BIGINT, stxrelid BIGINT, stxname VARCHAR, stxnamespace BIGINT,"
                    + " stxowner BIGINT, stxstattarget INTEGER, stxkeys SMALLINT[], stxkind VARCHAR[])",
            "pgc.pg_publication(oid BIGINT, pubname VARCHAR, puballtables BOOLEAN)",
            "pgc.pg_publication_rel(oid BIGINT, prpubid BIGINT, prrelid BIGINT)",
            "pgc.pg_partitioned_table(partrelid BIGINT, partstrat VARCHAR)",
            "pgc.pg_foreign_table(ftrelid BIGINT, ftserver BIGINT, ftoptions VARCHAR[])",
            "pgc.pg_extension(oid BIGINT, extname VARCHAR, extowner BIGINT, extnamespace BIGINT,"
                    + " extrelocatable BOOLEAN, extversion VARCHAR)",
            "pgc.pg_collation(oid BIGINT, collname VARCHAR, collnamespace BIGINT, collowner BIGINT,"
                    + " collprovider VARCHAR, collisdeterministic BOOLEAN, collencoding INTEGER,"
                    + " collcollate VARCHAR, collctype VARCHAR)",
            "pgc.pg_tablespace(oid BIGINT, spcname VARCHAR, spcowner BIGINT, spcacl VARCHAR[],"
                    + " spcoptions VARCHAR[])",
            "pgc.pg_roles(oid BIGINT, rolname VARCHAR, rolsuper BOOLEAN, rolinherit BOOLEAN, rolcreaterole BOOLEAN,"
                    + " rolcreatedb BOOLEAN, rolcanlogin BOOLEAN, rolreplication BOOLEAN, rolconnlimit INTEGER,"
                    + " rolpassword VARCHAR, rolvaliduntil TIMESTAMP, rolbypassrls BOOLEAN, rolconfig VARCHAR[])",
            "pgc.pg_settings(name VARCHAR, setting VARCHAR, unit VARCHAR, category VARCHAR, short_desc VARCHAR,"
                    + " vartype VARCHAR, context VARCHAR, source VARCHAR)",
            "pgc.pg_depend(classid BIGINT, objid BIGINT, objsubid INTEGER, refclassid BIGINT, refobjid BIGINT,"
                    + " refobjsubid INTEGER, deptype VARCHAR)",
            "pgc.pg_event_trigger(oid BIGINT, evtname VARCHAR)",
            "isc.schemata(catalog_name VARCHAR, schema_name VARCHAR, schema_owner VARCHAR,"
                    + " default_character_set_catalog VARCHAR, default_character_set_schema VARCHAR,"
                    + " default_character_set_name VARCHAR, sql_path VARCHAR)",
            "isc.tables(table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, table_type VARCHAR,"
                    + " self_referencing_column_name VARCHAR, reference_generation VARCHAR,"
                    + " user_defined_type_catalog VARCHAR, user_defined_type_schema VARCHAR,"
                    + " user_defined_type_name VARCHAR, is_insertable_into VARCHAR, is_typed VARCHAR,"
                    + " commit_action VARCHAR)",
            "isc.columns(table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, column_name VARCHAR,"
                    + " ordinal_position INTEGER, column_default VARCHAR, is_nullable VARCHAR, data_type VARCHAR,"
                    + " character_maximum_length INTEGER, character_octet_length INTEGER, numeric_precision INTEGER,"
                    + " numeric_precision_radix INTEGER, numeric_scale INTEGER, datetime_precision INTEGER,"
                    + " interval_type VARCHAR, interval_precision INTEGER, udt_catalog VARCHAR, udt_schema VARCHAR,"
                    + " udt_name VARCHAR, is_identity VARCHAR, is_generated VARCHAR, is_updatable VARCHAR)",
            "isc.views(table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, view_definition VARCHAR,"
                    + " check_option VARCHAR, is_updatable VARCHAR, is_insertable_into VARCHAR)",
            "isc.table_constraints(constraint_catalog VARCHAR, constraint_schema VARCHAR, constraint_name VARCHAR,"
                    + " table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, constraint_type VARCHAR,"
                    + " is_deferrable VARCHAR, initially_deferred VARCHAR, enforced VARCHAR)",
            "isc.key_column_usage(constraint_catalog VARCHAR, constraint_schema VARCHAR, constraint_name VARCHAR,"
                    + " table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, column_name VARCHAR,"
                    + " ordinal_position INTEGER, position_in_unique_constraint INTEGER)",
            "isc.referential_constraints(constraint_catalog VARCHAR, constraint_schema VARCHAR,"
                    + " constraint_name VARCHAR, unique_constraint_catalog VARCHAR, unique_constraint_schema VARCHAR,"
                    + " unique_constraint_name VARCHAR, match_option VARCHAR, update_rule VARCHAR,"
                    + " delete_rule VARCHAR)",
            "isc.routines(specific_catalog VARCHAR, specific_schema VARCHAR, specific_name VARCHAR,"
                    + " routine_catalog VARCHAR, routine_schema VARCHAR, routine_name VARCHAR, routine_type VARCHAR,"
                    + " data_type VARCHAR)",
            "isc.parameters(specific_catalog VARCHAR, specific_schema VARCHAR, specific_name VARCHAR,"
                    + " ordinal_position INTEGER, parameter_mode VARCHAR, parameter_name VARCHAR, data_type VARCHAR)");

    private final Connection connection;
    /** The table names of schema pgc and isc, lower case: what a catalog query may name. */
    final java.util.Set<String> pgCatalogTables;
    final java.util.Set<String> informationSchemaTables;

    private CatalogDatabase(Connection connection, java.util.Set<String> pg, java.util.Set<String> info) {
        this.connection = connection;
        this.pgCatalogTables = pg;
        this.informationSchemaTables = info;
    }

    Connection connection() {
        return connection;
    }

    /**
     * Builds the catalog of {@code snapshot}: the PostgreSQL database is {@code database} (the tenant's default
     * logical catalog), the search path its {@code defaultSchema}.
     */
    static CatalogDatabase build(CatalogSnapshot snapshot, String database, List<String> catalogs,
                                 String defaultSchema, String tenant) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:duckdb:");
        try {
            java.util.Set<String> pg = new java.util.TreeSet<>();
            java.util.Set<String> info = new java.util.TreeSet<>();
            try (Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA pgc");
                st.execute("CREATE SCHEMA isc");
                for (String table : TABLES) {
                    st.execute("CREATE TABLE " + table);
                    String name = table.substring(4, table.indexOf('('));
                    (table.startsWith("pgc.") ? pg : info).add(name);
                }
                st.execute("CREATE VIEW pgc.pg_tables AS SELECT n.nspname AS schemaname, c.relname AS tablename,"
                        + " '" + OWNER + "' AS tableowner, NULL AS tablespace, c.relhasindex AS hasindexes,"
                        + " false AS hasrules, false AS hastriggers, false AS rowsecurity FROM pgc.pg_class c"
                        + " JOIN pgc.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p')");
                st.execute("CREATE VIEW pgc.pg_views AS SELECT n.nspname AS schemaname, c.relname AS viewname,"
                        + " '" + OWNER + "' AS viewowner, NULL AS definition FROM pgc.pg_class c"
                        + " JOIN pgc.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'v'");
                st.execute("CREATE VIEW pgc.pg_matviews AS SELECT NULL AS schemaname, NULL AS matviewname,"
                        + " NULL AS matviewowner, NULL AS definition WHERE false");
                st.execute("CREATE VIEW pgc.pg_indexes AS SELECT n.nspname AS schemaname, t.relname AS tablename,"
                        + " i.relname AS indexname, NULL AS tablespace, NULL AS indexdef FROM pgc.pg_index x"
                        + " JOIN pgc.pg_class t ON t.oid = x.indrelid JOIN pgc.pg_class i ON i.oid = x.indexrelid"
                        + " JOIN pgc.pg_namespace n ON n.oid = t.relnamespace");
                st.execute("CREATE VIEW pgc.pg_user AS SELECT rolname AS usename, oid AS usesysid,"
                        + " rolcreatedb AS usecreatedb, rolsuper AS usesuper, false AS userepl, false AS usebypassrls,"
                        + " '********' AS passwd, rolvaliduntil AS valuntil, rolconfig AS useconfig FROM pgc.pg_roles");
                pg.addAll(List.of("pg_tables", "pg_views", "pg_matviews", "pg_indexes", "pg_user"));
            }
            new Filler(c, snapshot, database, catalogs, defaultSchema, tenant).fill();
            CatalogFunctions.create(c, database, defaultSchema, tenant);
            try (Statement st = c.createStatement()) {
                for (String setting : DuckDbLockdown.SETTINGS) {
                    st.execute(setting);
                }
            }
            return new CatalogDatabase(c, java.util.Collections.unmodifiableSet(pg),
                    java.util.Collections.unmodifiableSet(info));
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // an in-memory database: nothing is lost
        }
    }

    /** Fills the tables from the snapshot, numbering objects as it goes. */
    private static final class Filler {
        private final Connection c;
        private final CatalogSnapshot snapshot;
        private final String database;
        private final List<String> catalogs;
        private final String defaultSchema;
        private final String tenant;
        private long nextOid = FIRST_OID;

        Filler(Connection c, CatalogSnapshot snapshot, String database, List<String> catalogs, String defaultSchema,
               String tenant) {
            this.c = c;
            this.snapshot = snapshot;
            this.database = database;
            this.catalogs = catalogs;
            this.defaultSchema = defaultSchema;
            this.tenant = tenant;
        }

        void fill() throws SQLException {
            for (String catalog : catalogs) {
                insert("pgc.pg_database", nextOid++, catalog, 10, 6, "C.UTF-8", "C.UTF-8", false, true, -1, 1663,
                        null);
            }
            insert("pgc.pg_roles", 10, tenant, false, true, false, false, true, false, -1, "********", null, false,
                    null);
            insert("pgc.pg_tablespace", 1663, "pg_default", 10, null, null);
            for (String[] setting : new String[][] {{"max_index_keys", "32"}, {"max_identifier_length", "63"},
                {"server_version", LocalStatements.SERVER_VERSION}, {"server_version_num", "140000"},
                {"server_encoding", "UTF8"}, {"client_encoding", "UTF8"}, {"search_path", defaultSchema},
                {"standard_conforming_strings", "on"}, {"integer_datetimes", "on"}}) {
                insert("pgc.pg_settings", setting[0], setting[1], null, "Preset Options", null, "string", "internal",
                        "default");
            }
            insert("pgc.pg_am", 2, "heap", "heap_tableam_handler", "t");
            insert("pgc.pg_am", 403, "btree", "bthandler", "i");
            insert("pgc.pg_collation", 100, "default", PG_CATALOG_OID, 10, "d", true, -1, null, null);
            insert("pgc.pg_namespace", PG_CATALOG_OID, "pg_catalog", 10, null);
            insert("pgc.pg_namespace", INFORMATION_SCHEMA_OID, "information_schema", 10, null);
            types();
            java.util.Map<String, Long> namespaces = new java.util.HashMap<>();
            for (CatalogSnapshot.Schema s : snapshot.schemas()) {
                if (s.catalog().equals(database) && !namespaces.containsKey(s.name())) {
                    long oid = nextOid++;
                    namespaces.put(s.name(), oid);
                    insert("pgc.pg_namespace", oid, s.name(), 10, null);
                    insert("isc.schemata", database, s.name(), tenant, null, null, "UTF8", null);
                }
            }
            for (CatalogSnapshot.Table t : snapshot.tables()) {
                Long namespace = namespaces.get(t.schema());
                if (t.catalog().equals(database) && namespace != null) {
                    table(t, namespace);
                }
            }
        }

        private void table(CatalogSnapshot.Table t, long namespace) throws SQLException {
            long oid = nextOid++;
            boolean hasKey = !t.primaryKey().isEmpty();
            insert("pgc.pg_class", oid, t.name(), namespace, 0, 0, 10, t.view() ? 0 : 2, oid, 0, 0, -1f, 0, 0,
                    hasKey, false, "p", t.view() ? "v" : "r", (short) t.columns().size(), (short) 0, false, false,
                    false, false, false, true, "d", false, 0, 0, 0, null, null, null, false);
            insert("isc.tables", database, t.schema(), t.name(), t.view() ? "VIEW" : "BASE TABLE", null, null, null,
                    null, null, t.view() ? "NO" : "YES", "NO", null);
            List<CatalogSnapshot.Column> columns = t.columns();
            for (int i = 0; i < columns.size(); i++) {
                CatalogSnapshot.Column col = columns.get(i);
                PgType type = PgType.of(col.type());
                int typmod = typmod(type, col);
                short attnum = (short) (i + 1);
                insert("pgc.pg_attribute", oid, col.name(), type.oid, -1, (short) type.length, attnum,
                        type.element != null ? 1 : 0, -1, typmod, type.length > 0 && type.length <= 8,
                        type.length > 0 ? "p" : "x", "i", !col.nullable(), col.defaultValue() != null, false, "", "",
                        false, true, 0, 0, null, null, null, null, null);
                if (col.defaultValue() != null) {
                    insert("pgc.pg_attrdef", nextOid++, oid, attnum, col.defaultValue());
                }
                insert("isc.columns", database, t.schema(), t.name(), col.name(), i + 1, col.defaultValue(),
                        col.nullable() ? "YES" : "NO", formatted(type, -1), null, null,
                        type == PgType.NUMERIC && col.type().precision() > 0 ? col.type().precision() : null,
                        type == PgType.NUMERIC ? 10 : null,
                        type == PgType.NUMERIC && col.type().precision() > 0 ? col.type().scale() : null, null, null,
                        null, database, "pg_catalog", typname(type), "NO", "NEVER", t.view() ? "NO" : "YES");
            }
            if (!t.primaryKey().isEmpty()) {
                List<Short> key = new ArrayList<>();
                for (String k : t.primaryKey()) {
                    for (int i = 0; i < columns.size(); i++) {
                        if (columns.get(i).name().equals(k)) {
                            key.add((short) (i + 1));
                        }
                    }
                }
                String keyName = t.name() + "_pkey";
                long index = nextOid++;
                insert("pgc.pg_class", index, keyName, namespace, 0, 0, 10, 403, index, 0, 0, 0f, 0, 0, false,
                        false, "p", "i", (short) key.size(), (short) 0, false, false, false, false, false, true, "n",
                        false, 0, 0, 0, null, null, null, false);
                Short[] attnums = key.toArray(new Short[0]);
                insert("pgc.pg_index", index, oid, (short) key.size(), (short) key.size(), true, false, true, false,
                        true, false, true, false, true, true, false, attnums, null, null, null, null, null);
                insert("pgc.pg_constraint", nextOid++, keyName, namespace, "p", false, false, true, oid, 0, index,
                        0, 0, " ", " ", " ", true, 0, true, attnums, null, null, null, null, null, null);
                insert("isc.table_constraints", database, t.schema(), keyName, database, t.schema(), t.name(),
                        "PRIMARY KEY", "NO", "NO", "YES");
                for (int i = 0; i < t.primaryKey().size(); i++) {
                    insert("isc.key_column_usage", database, t.schema(), keyName, database, t.schema(), t.name(),
                            t.primaryKey().get(i), i + 1, null);
                }
            }
        }

        /** pg_type: every type the front end sends, with PostgreSQL's OIDs and names. */
        private void types() throws SQLException {
            for (PgType t : PgType.values()) {
                PgType array = null;
                for (PgType a : PgType.values()) {
                    if (a.element == t) {
                        array = a;
                    }
                }
                String category = category(t);
                insert("pgc.pg_type", t.oid, typname(t), PG_CATALOG_OID, 10, (short) t.length,
                        t.length > 0 && t.length <= 8, "b", category, false, true, ",", 0,
                        t.element != null ? "array_subscript_handler" : "-", t.element != null ? t.element.oid : 0,
                        array != null ? array.oid : 0, t.element != null ? "array_in" : typname(t) + "in",
                        t.element != null ? "array_out" : typname(t) + "out", t.element != null ? "array_recv"
                                : typname(t) + "recv", t.element != null ? "array_send" : typname(t) + "send", "-",
                        "-", "-", "i", t.length > 0 ? "p" : "x", false, 0, -1, 0, 0, null, null, null,
                        formatted(t, -1));
            }
        }

        private static String category(PgType t) {
            if (t.element != null) {
                return "A";
            }
            return switch (t) {
                case BOOL -> "B";
                case INT2, INT4, INT8, FLOAT4, FLOAT8, NUMERIC, OID -> "N";
                case TEXT, VARCHAR, BPCHAR -> "S";
                case DATE, TIME, TIMETZ, TIMESTAMP, TIMESTAMPTZ -> "D";
                case VARBIT -> "V";
                case UNKNOWN -> "X";
                default -> "U";
            };
        }

        private void insert(String table, Object... values) throws SQLException {
            StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" VALUES (");
            for (int i = 0; i < values.length; i++) {
                sql.append(i == 0 ? "?" : ", ?");
            }
            try (PreparedStatement ps = c.prepareStatement(sql.append(')').toString())) {
                for (int i = 0; i < values.length; i++) {
                    Object v = values[i];
                    if (v instanceof Object[] array) {
                        ps.setObject(i + 1, c.createArrayOf(array instanceof Short[] ? "SMALLINT" : "VARCHAR",
                                array));
                    } else {
                        ps.setObject(i + 1, v);
                    }
                }
                ps.execute();
            }
        }
    }

    /** PostgreSQL's type name: an array type is its element's name after an underscore. */
    static String typname(PgType t) {
        return t.element != null ? "_" + typname(t.element) : t.name().toLowerCase(Locale.ROOT);
    }

    /** The type modifier of a column, as pg_attribute keeps it: numeric precision and scale, else none. */
    static int typmod(PgType type, CatalogSnapshot.Column column) {
        if (type == PgType.NUMERIC && column.type().precision() > 0 && column.type().precision() <= 1000) {
            return ((column.type().precision() << 16) | Math.max(0, column.type().scale())) + 4;
        }
        return -1;
    }

    /** {@code format_type}'s answer: PostgreSQL's SQL name of the type, with its modifier. */
    static String formatted(PgType t, int typmod) {
        if (t.element != null) {
            return formatted(t.element, -1) + "[]";
        }
        return switch (t) {
            case BOOL -> "boolean";
            case INT2 -> "smallint";
            case INT4 -> "integer";
            case INT8 -> "bigint";
            case FLOAT4 -> "real";
            case FLOAT8 -> "double precision";
            case VARCHAR -> "character varying";
            case BPCHAR -> "character";
            case VARBIT -> "bit varying";
            case TIME -> "time without time zone";
            case TIMETZ -> "time with time zone";
            case TIMESTAMP -> "timestamp without time zone";
            case TIMESTAMPTZ -> "timestamp with time zone";
            case NUMERIC -> typmod > 4 ? "numeric(" + ((typmod - 4) >> 16) + "," + ((typmod - 4) & 0xffff) + ")"
                    : "numeric";
            default -> typname(t);
        };
    }
}
