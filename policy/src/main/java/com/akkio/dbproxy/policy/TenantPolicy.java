package com.akkio.dbproxy.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One tenant's least-privilege policy, validated and compiled once when loaded. Immutable and shared by all request
 * threads. Names are physical unless said otherwise: the tenant writes logical catalog names (for example
 * {@code main}) which {@link #physicalCatalog} maps to the physical catalog the patterns speak of.
 *
 * <p>The {@link Builder} rejects a null argument at once with a {@link NullPointerException} naming it; values that
 * are present but unusable (a blank tenant, catalog or schema, a row cap below 1, an empty function rule, an allowed
 * function that is not a plain name or is on the built-in deny-list, a kind the engine cannot govern) are rejected by {@link Builder#build()} with an {@link IllegalArgumentException} that names
 * the policy file key, which is what a configuration error reports.
 */
public final class TenantPolicy {
    /** Table functions that only compute values and read nothing outside the statement. */
    public static final Set<String> DEFAULT_TABLE_FUNCTIONS = Set.of("range", "generate_series", "unnest", "explode");
    /** Rows one write statement may add unless the policy says otherwise ({@code max_write_rows}). */
    public static final long DEFAULT_MAX_WRITE_ROWS = 1_000_000;
    /** Statements longer than this are decided every time rather than remembered. */
    static final int MEMO_MAX_SQL_LENGTH = 16_384;

    private final String tenant;
    private final Dialect dialect;
    private final String defaultCatalog;
    private final String defaultSchema;
    private final Map<String, String> catalogMap;
    private final List<ObjectPattern> readable;
    private final List<ObjectPattern> writable;
    private final Set<StatementKind> allowedKinds;
    private final long maxRows;
    private final long maxWriteRows;
    private final int maxSqlLength;
    private final FunctionRules functionRules;
    private final DecisionMemo memo;
    private final RowPolicies rowPolicies;
    /** Where the views of filtered and masked tables get their columns; shared with narrowed copies. */
    private final java.util.concurrent.atomic.AtomicReference<TableColumns> columns;

    private TenantPolicy(Builder b) {
        this.tenant = require(b.tenant, "tenant");
        this.dialect = b.dialect;
        this.defaultCatalog = require(b.defaultCatalog, "catalog").toLowerCase(Locale.ROOT);
        this.defaultSchema = require(b.defaultSchema, "default_schema").toLowerCase(Locale.ROOT);
        this.catalogMap = Map.copyOf(b.catalogMap);
        this.readable = List.copyOf(b.readable);
        this.writable = List.copyOf(b.writable);
        this.allowedKinds = Set.copyOf(b.allowedKinds);
        if (b.maxRows < 1) {
            throw new IllegalArgumentException("max_rows must be at least 1, got " + b.maxRows);
        }
        this.maxRows = b.maxRows;
        if (b.maxWriteRows < 1 || b.maxWriteRows == Long.MAX_VALUE) {
            throw new IllegalArgumentException("max_write_rows must be at least 1 and below " + Long.MAX_VALUE
                    + ", got " + b.maxWriteRows);
        }
        this.maxWriteRows = b.maxWriteRows;
        if (b.maxSqlLength < 16) {
            throw new IllegalArgumentException("max_sql_length must be at least 16, got " + b.maxSqlLength);
        }
        this.maxSqlLength = b.maxSqlLength;
        this.functionRules = new FunctionRules(b.dialect, b.deniedFunctions, b.allowedFunctions, b.tableFunctions);
        if (b.memoEntries < 0) {
            throw new IllegalArgumentException("decision cache size must not be negative, got " + b.memoEntries);
        }
        this.memo = new DecisionMemo(b.memoEntries, MEMO_MAX_SQL_LENGTH);
        for (StatementKind kind : allowedKinds) {
            if (!kind.isGovernable()) {
                throw new IllegalArgumentException("statement kind '" + kind.configName()
                        + "' cannot be allowed: the proxy cannot check the objects it touches");
            }
        }
        this.columns = new java.util.concurrent.atomic.AtomicReference<>(TableColumns.NONE);
        RowPolicies.Builder rows = new RowPolicies.Builder().salt(b.maskSalt);
        for (String[] f : b.rowFilters) {
            rows.filter(physicalTable(f[0], "row_filters"), f[1]);
        }
        for (Object[] m : b.masks) {
            rows.mask(physicalTable((String) m[0], "masks"), (String) m[1], (DataMask) m[2]);
        }
        this.rowPolicies = rows.build(tenant, dialect);
        rowPolicies.validate(this);
        if (writable.isEmpty()) {
            for (StatementKind kind : allowedKinds) {
                if (kind != StatementKind.QUERY && kind != StatementKind.DESCRIBE) {
                    throw new IllegalArgumentException("statement kind '" + kind.configName()
                            + "' is allowed but no writable objects are listed (write)");
                }
            }
        }
    }

    /** The same rules as {@code base}, for a connection that narrowed them (see {@link #narrowed}); a fresh memo. */
    private TenantPolicy(TenantPolicy base, String catalog, String schema, Set<StatementKind> kinds) {
        this.tenant = base.tenant;
        this.dialect = base.dialect;
        this.defaultCatalog = catalog;
        this.defaultSchema = schema;
        this.catalogMap = base.catalogMap;
        this.readable = base.readable;
        this.writable = base.writable;
        this.allowedKinds = kinds;
        this.maxRows = base.maxRows;
        this.maxWriteRows = base.maxWriteRows;
        this.maxSqlLength = base.maxSqlLength;
        this.functionRules = base.functionRules;
        this.memo = base.memo.emptyCopy();
        this.rowPolicies = base.rowPolicies;
        this.columns = base.columns;
    }

    /** A table of {@code row_filters} or {@code masks}: catalog.schema.table, the catalog logical or physical. */
    private QualifiedName physicalTable(String dotted, String key) {
        QualifiedName written;
        try {
            written = QualifiedName.parse(dotted);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
        return new QualifiedName(physicalCatalog(written.catalog()), written.schema(), written.table());
    }

    /** The tenant's row filters and column masks (empty when it has none). */
    public RowPolicies rowPolicies() {
        return rowPolicies;
    }

    /**
     * Gives the views of filtered and masked tables the backend's columns (the proxy does, once it has the tenant's
     * backend); until then, and with {@link TableColumns#NONE}, statements reading such tables are denied.
     */
    public void useColumns(TableColumns source) {
        columns.set(Objects.requireNonNull(source, "source"));
    }

    TableColumns tableColumns() {
        return columns.get();
    }

    /** A physical table's name as this tenant writes it: its catalog under the logical name that maps to it. */
    public String logicalName(QualifiedName physical) {
        return logicalCatalog(physical.catalog()) + "." + physical.schema() + "." + physical.table();
    }

    /**
     * This policy as one connection narrowed it, for JDBC's {@code setCatalog}, {@code setSchema} and
     * {@code setReadOnly}: unqualified names resolve in {@code catalog} (logical or physical) and {@code schema},
     * which the policy's read or write patterns must reach, and a read-only connection may run only queries and
     * DESCRIBE. It never grants more than this policy: the patterns, the functions and the limits are the same.
     *
     * @throws IllegalArgumentException naming the rule, when the catalog or schema is one the policy does not reach
     */
    public TenantPolicy narrowed(String catalog, String schema, boolean readOnly) {
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(schema, "schema");
        String physical = physicalCatalog(catalog.toLowerCase(Locale.ROOT));
        String lowerSchema = schema.toLowerCase(Locale.ROOT);
        boolean reachable = Stream.concat(readable.stream(), writable.stream())
                .anyMatch(p -> p.coversSchema(physical, lowerSchema));
        if (!reachable) {
            throw new IllegalArgumentException("schema " + logicalCatalog(physical) + "." + lowerSchema
                    + " is not readable or writable by tenant '" + tenant + "' (rule: read and write patterns)");
        }
        Set<StatementKind> kinds = readOnly ? allowedKinds.stream()
                .filter(k -> k == StatementKind.QUERY || k == StatementKind.DESCRIBE)
                .collect(java.util.stream.Collectors.toUnmodifiableSet()) : allowedKinds;
        if (physical.equals(defaultCatalog) && lowerSchema.equals(defaultSchema) && kinds.equals(allowedKinds)) {
            return this;
        }
        return new TenantPolicy(this, physical, lowerSchema, kinds);
    }

    private static String require(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is required");
        }
        return value;
    }

    /** A builder for the policy of {@code tenant}, which must not be null (blank is refused by {@code build}). */
    public static Builder builder(String tenant) {
        return new Builder(Objects.requireNonNull(tenant, "tenant"));
    }

    public String tenant() {
        return tenant;
    }

    public Dialect dialect() {
        return dialect;
    }

    public String defaultCatalog() {
        return defaultCatalog;
    }

    public String defaultSchema() {
        return defaultSchema;
    }

    /** Logical catalog name (lower case) to physical catalog name. */
    public Map<String, String> catalogMap() {
        return catalogMap;
    }

    public String physicalCatalog(String catalog) {
        return catalogMap.getOrDefault(catalog, catalog);
    }

    /** The name this tenant knows a physical catalog by: its logical name where one maps to it. */
    public String logicalCatalog(String physical) {
        for (Map.Entry<String, String> e : catalogMap.entrySet()) {
            if (e.getValue().equals(physical)) {
                return e.getKey();
            }
        }
        return physical;
    }

    public List<ObjectPattern> readable() {
        return readable;
    }

    public List<ObjectPattern> writable() {
        return writable;
    }

    public Set<StatementKind> allowedKinds() {
        return allowedKinds;
    }

    public long maxRows() {
        return maxRows;
    }

    /** The most rows one write statement (INSERT, CREATE TABLE … AS) may add: {@code max_write_rows}. */
    public long maxWriteRows() {
        return maxWriteRows;
    }

    public int maxSqlLength() {
        return maxSqlLength;
    }

    DecisionMemo memo() {
        return memo;
    }

    FunctionRules functionRules() {
        return functionRules;
    }

    /**
     * Checks one entry of a policy's {@code allowed_functions} as {@link Builder#build()} will, so that a configuration
     * loader can name the key: one unqualified function name, not on the built-in deny-list.
     *
     * @throws IllegalArgumentException naming the entry and what is wrong with it
     */
    public static void checkAllowedFunction(String name) {
        FunctionRules.checkAllowable(name);
    }

    /** Write-back implies read-back: a tenant may read what it may write. */
    public boolean canRead(QualifiedName name) {
        Objects.requireNonNull(name, "name");
        return matchesAny(readable, name) || matchesAny(writable, name);
    }

    public boolean canWrite(QualifiedName name) {
        Objects.requireNonNull(name, "name");
        return matchesAny(writable, name);
    }

    private static boolean matchesAny(List<ObjectPattern> patterns, QualifiedName name) {
        for (ObjectPattern p : patterns) {
            if (p.matches(name)) {
                return true;
            }
        }
        return false;
    }

    public static final class Builder {
        private final String tenant;
        private Dialect dialect = Dialect.DUCKDB;
        private String defaultCatalog;
        private String defaultSchema;
        private final Map<String, String> catalogMap = new LinkedHashMap<>();
        private final List<ObjectPattern> readable = new ArrayList<>();
        private final List<ObjectPattern> writable = new ArrayList<>();
        private final Set<StatementKind> allowedKinds = EnumSet.noneOf(StatementKind.class);
        private long maxRows = 10_000;
        private long maxWriteRows = DEFAULT_MAX_WRITE_ROWS;
        private int maxSqlLength = 1 << 20;
        private final List<String> deniedFunctions = new ArrayList<>();
        private final List<String> allowedFunctions = new ArrayList<>();
        private final Set<String> tableFunctions = new java.util.HashSet<>(DEFAULT_TABLE_FUNCTIONS);
        private int memoEntries = 4096;
        private final List<String[]> rowFilters = new ArrayList<>();
        private final List<Object[]> masks = new ArrayList<>();
        private String maskSalt;

        private Builder(String tenant) {
            this.tenant = tenant;
        }

        public Builder dialect(Dialect value) {
            this.dialect = Objects.requireNonNull(value, "dialect");
            return this;
        }

        public Builder defaultCatalog(String physicalCatalog) {
            this.defaultCatalog = Objects.requireNonNull(physicalCatalog, "physicalCatalog");
            return this;
        }

        public Builder defaultSchema(String schema) {
            this.defaultSchema = Objects.requireNonNull(schema, "schema");
            return this;
        }

        public Builder mapCatalog(String logical, String physical) {
            Objects.requireNonNull(logical, "logical");
            Objects.requireNonNull(physical, "physical");
            catalogMap.put(logical.toLowerCase(Locale.ROOT), physical.toLowerCase(Locale.ROOT));
            return this;
        }

        public Builder read(String pattern) {
            readable.add(ObjectPattern.parse(pattern));
            return this;
        }

        public Builder write(String pattern) {
            writable.add(ObjectPattern.parse(pattern));
            return this;
        }

        public Builder allow(StatementKind... kinds) {
            return allow(Arrays.asList(Objects.requireNonNull(kinds, "kinds")));
        }

        public Builder allow(Collection<StatementKind> kinds) {
            Objects.requireNonNull(kinds, "kinds");
            for (StatementKind kind : kinds) {
                allowedKinds.add(Objects.requireNonNull(kind, "kinds has a null element"));
            }
            return this;
        }

        public Builder maxRows(long value) {
            this.maxRows = value;
            return this;
        }

        /** The most rows one write statement may add (default {@link #DEFAULT_MAX_WRITE_ROWS}). */
        public Builder maxWriteRows(long value) {
            this.maxWriteRows = value;
            return this;
        }

        public Builder maxSqlLength(int value) {
            this.maxSqlLength = value;
            return this;
        }

        /** Adds a function name or glob ({@code my_udf}, {@code ai_*}) to the built-in deny-list. */
        public Builder denyFunction(String nameOrGlob) {
            deniedFunctions.add(Objects.requireNonNull(nameOrGlob, "nameOrGlob"));
            return this;
        }

        /**
         * Adds a function to the dialect's allow-list for this tenant: one unqualified name, not one on the built-in
         * deny-list ({@link #build()} refuses those, naming {@code allowed_functions}).
         */
        public Builder allowFunction(String name) {
            allowedFunctions.add(Objects.requireNonNull(name, "name"));
            return this;
        }

        /** Replaces the table functions that may appear in FROM (default: {@link #DEFAULT_TABLE_FUNCTIONS}). */
        public Builder tableFunctions(Collection<String> names) {
            Objects.requireNonNull(names, "names");
            List<String> lower = new ArrayList<>(names.size());
            for (String n : names) {
                lower.add(Objects.requireNonNull(n, "names has a null element").toLowerCase(Locale.ROOT));
            }
            tableFunctions.clear();
            tableFunctions.addAll(lower);
            return this;
        }

        /** How many decisions to remember for repeated statements (0: none). */
        public Builder decisionCache(int entries) {
            this.memoEntries = entries;
            return this;
        }

        /**
         * A row filter on {@code table} (catalog.schema.table; the catalog logical or physical): a boolean expression
         * over its unqualified columns, in the tenant's dialect; {@code :tenant} is the tenant's name.
         */
        public Builder rowFilter(String table, String filter) {
            rowFilters.add(new String[] {Objects.requireNonNull(table, "table"),
                    Objects.requireNonNull(filter, "filter")});
            return this;
        }

        /** A mask of one column of {@code table} (see {@link DataMask}). */
        public Builder mask(String table, String column, DataMask mask) {
            masks.add(new Object[] {Objects.requireNonNull(table, "table"), Objects.requireNonNull(column, "column"),
                    Objects.requireNonNull(mask, "mask")});
            return this;
        }

        /** The salt of {@code hash} masks: a secret of the operator's, never logged. */
        public Builder maskSalt(String salt) {
            this.maskSalt = salt;
            return this;
        }

        public TenantPolicy build() {
            return new TenantPolicy(this);
        }
    }
}
