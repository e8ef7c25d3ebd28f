package com.akkio.dbproxy.server.frontend.flight;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

import com.akkio.dbproxy.policy.DenyCode;
import com.akkio.dbproxy.server.governed.GovernedConnection;
import com.akkio.dbproxy.server.governed.ProxyError;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions.TableExistsOption;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions.TableNotExistOption;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.remote.TypedValue;

/**
 * {@code CommandStatementIngest} (ADBC's bulk ingest) as the statements it amounts to, each governed as if the client
 * had sent it: the table created when the request's options say so ({@code CREATE TABLE}, or {@code CREATE OR REPLACE
 * TABLE} to replace it, decided by the policy's create rules and audited), and the rows as one {@code INSERT INTO t
 * (columns) VALUES (…)}, decided against the write patterns, admitted through the tenant's limits and write quota once
 * and audited once with its row count. On a backend that imports Arrow (DuckDB) the stream's batches go in through
 * that import, as one {@code INSERT … SELECT} from them ({@link GovernedConnection#insertArrow}); elsewhere as
 * multi-row INSERTs ({@link GovernedConnection#copyIn}, as a PostgreSQL COPY FROM STDIN is). Either way in one
 * transaction: nothing is kept when one fails or the rows pass {@code max_write_rows}. Temporary tables and
 * transactions are not served.
 */
final class BulkIngest {
    private final GovernedConnection c;
    private final CommandStatementIngest command;
    /** Where the Arrow import's C data structures are allocated (a few bytes a batch). */
    private final BufferAllocator allocator;
    /** The client's batches, each held under the stream's and the tenant's memory limits while it is read. */
    private final IngestStreamReader stream;

    BulkIngest(GovernedConnection c, CommandStatementIngest command, BufferAllocator allocator,
               IngestStreamReader stream) {
        this.c = c;
        this.command = command;
        this.allocator = allocator;
        this.stream = stream;
    }

    /** Ingests the stream's rows; the rows written. */
    long run() throws NoSuchStatementException {
        try {
            return ingest();
        } finally {
            stream.release();
        }
    }

    private long ingest() throws NoSuchStatementException {
        if (command.getTemporary() || command.hasTransactionId()) {
            throw ProxyError.unsupported("bulk ingest into a temporary table or inside a transaction");
        }
        List<Field> fields = stream.getVectorSchemaRoot().getSchema().getFields();
        if (fields.isEmpty()) {
            throw ProxyError.unsupported("bulk ingest of a result without columns");
        }
        String table = tableName();
        StringJoiner names = new StringJoiner(", ");
        fields.forEach(f -> names.add(quoted(f.getName())));
        c.autoCommit(false);
        boolean done = false;
        try {
            String create = createStatement(table);
            if (create != null) {
                Meta.StatementHandle h = c.createStatement();
                c.execute(h, create + " (" + columnDefinitions(fields) + ")", -1, 0);
                c.closeStatement(h);
            }
            String insert = "INSERT INTO " + table + " (" + names + ") VALUES ";
            String row = "(" + "?, ".repeat(fields.size() - 1) + "?)";
            long written;
            if (c.importsArrow()) {
                try {
                    written = c.insertArrow(insert + row, stream, allocator);
                } catch (RuntimeException e) {
                    // the backend reports a batch that could not be read as its own error: the client's is ours
                    throw stream.failure() != null ? stream.failure() : e;
                }
            } else {
                GovernedConnection.CopyIn copy = c.copyIn(insert + row,
                        n -> insert + String.join(", ", java.util.Collections.nCopies(n, row)));
                written = insertRows(copy, fields.size());
            }
            c.commit();
            done = true;
            return written;
        } finally {
            if (!done) {
                try {
                    c.rollback();
                } catch (ProxyError ignored) {
                    // the ingest's own error is the one the client needs
                }
            }
            c.autoCommit(true);
        }
    }

    private long insertRows(GovernedConnection.CopyIn copy, int width) {
        int perStatement = Math.max(1, Math.min(64, 40_000 / (3 * width + 4)));
        long max = c.policy().maxWriteRows();
        long seen = 0;
        List<List<TypedValue>> batch = new ArrayList<>(perStatement);
        try {
            while (stream.loadNextBatch()) {
                VectorSchemaRoot root = stream.getVectorSchemaRoot();
                seen += root.getRowCount();
                if (seen > max) {
                    throw ProxyError.denied(DenyCode.WRITE_ROWS_EXCEEDED, "the ingest writes more than tenant '"
                            + c.tenantName() + "''s limit of " + max + " rows per statement (rule: max_write_rows)");
                }
                for (int r = 0; r < root.getRowCount(); r++) {
                    List<TypedValue> values = new ArrayList<>(width);
                    for (FieldVector v : root.getFieldVectors()) {
                        values.add(value(v, r));
                    }
                    batch.add(values);
                    if (batch.size() == perStatement) {
                        copy.add(batch);
                        batch = new ArrayList<>(perStatement);
                    }
                }
            }
            copy.add(batch);
            return copy.finish();
        } catch (ProxyError e) {
            copy.abort(e);
            throw e;
        } catch (RuntimeException e) {
            ProxyError error = ProxyError.of(com.akkio.dbproxy.server.errors.ErrorCode.DATA_EXCEPTION,
                    "the ingest's data cannot be read: " + e.getMessage());
            copy.abort(error);
            throw error;
        }
    }

    /**
     * The CREATE the request's options ask for (null: none), by ADBC's modes: create (create; fail if it exists),
     * append (it must exist), create_append (create if missing), replace (create or replace).
     */
    private String createStatement(String table) {
        TableDefinitionOptions o = command.getTableDefinitionOptions();
        boolean createMissing = o.getIfNotExist() == TableNotExistOption.TABLE_NOT_EXIST_OPTION_CREATE;
        TableExistsOption ifExists = o.getIfExists();
        if (ifExists == TableExistsOption.TABLE_EXISTS_OPTION_REPLACE) {
            return createMissing || exists() ? "CREATE OR REPLACE TABLE " + table : null;
        }
        if (ifExists == TableExistsOption.TABLE_EXISTS_OPTION_APPEND) {
            return createMissing && !exists() ? "CREATE TABLE " + table : null;
        }
        // fail if it exists (the backend refuses the CREATE of an existing table); the INSERT fails if it is missing
        return createMissing || exists() ? "CREATE TABLE " + table : null;
    }

    /** Whether the table exists (the tenant sees it): the name, not a pattern ({@code _} matches itself only). */
    private boolean exists() {
        for (Object row : c.tables(command.hasCatalog() ? command.getCatalog() : null,
                command.hasSchema() ? command.getSchema() : null, command.getTable(), null).firstFrame.rows) {
            if (command.getTable().equalsIgnoreCase(String.valueOf(((Object[]) row)[2]))) {
                return true;
            }
        }
        return false;
    }

    private String tableName() {
        StringJoiner name = new StringJoiner(".");
        if (command.hasCatalog()) {
            name.add(quoted(command.getCatalog()));
        }
        if (command.hasSchema()) {
            name.add(quoted(command.getSchema()));
        }
        return name.add(quoted(command.getTable())).toString();
    }

    /** {@code name} as an identifier of the tenant's SQL dialect (Databricks SQL quotes with backticks). */
    private String quoted(String name) {
        String q = c.policy().dialect() == com.akkio.dbproxy.policy.Dialect.DATABRICKS ? "`" : "\"";
        return q + name.replace(q, q + q) + q;
    }

    /** Each column with the DuckDB type that holds its Arrow type's values exactly. */
    private String columnDefinitions(List<Field> fields) {
        StringJoiner out = new StringJoiner(", ");
        for (Field f : fields) {
            out.add(quoted(f.getName()) + " " + sqlType(f));
        }
        return out.toString();
    }

    private static String sqlType(Field f) {
        ArrowType t = f.getType();
        if (t instanceof ArrowType.Int i) {
            String name = switch (i.getBitWidth()) {
                case 8 -> "TINYINT";
                case 16 -> "SMALLINT";
                case 32 -> "INTEGER";
                default -> "BIGINT";
            };
            return i.getIsSigned() ? name : "U" + name;
        }
        if (t instanceof ArrowType.FloatingPoint fp) {
            return fp.getPrecision() == org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE ? "REAL" : "DOUBLE";
        }
        if (t instanceof ArrowType.Decimal d && d.getPrecision() <= 38) {
            return "DECIMAL(" + d.getPrecision() + ", " + d.getScale() + ")";
        }
        if (t instanceof ArrowType.Timestamp ts) {
            return ts.getTimezone() != null ? "TIMESTAMPTZ"
                    : ts.getUnit() == org.apache.arrow.vector.types.TimeUnit.NANOSECOND ? "TIMESTAMP_NS" : "TIMESTAMP";
        }
        return switch (t.getTypeID()) {
            case Bool -> "BOOLEAN";
            case Utf8, LargeUtf8 -> "VARCHAR";
            case Binary, LargeBinary -> "BLOB";
            case Date -> "DATE";
            default -> throw ProxyError.unsupported("bulk ingest of a column of Arrow type " + t + " ("
                    + f.getName() + ")");
        };
    }

    /**
     * A value as the INSERT binds it: timestamps as their text, to the microsecond or nanosecond (JDBC's binding of
     * a timestamp parameter keeps milliseconds); everything else as a prepared statement's parameter.
     */
    private static TypedValue value(FieldVector v, int r) {
        if (!v.isNull(r) && v instanceof TimeStampVector t && v.getField().getType() instanceof ArrowType.Timestamp ts) {
            long raw = t.get(r);
            long perSecond = switch (ts.getUnit()) {
                case SECOND -> 1;
                case MILLISECOND -> 1_000;
                case MICROSECOND -> 1_000_000;
                case NANOSECOND -> 1_000_000_000;
            };
            LocalDateTime at = LocalDateTime.ofEpochSecond(Math.floorDiv(raw, perSecond),
                    (int) (Math.floorMod(raw, perSecond) * (1_000_000_000 / perSecond)), ZoneOffset.UTC);
            return TypedValue.ofLocal(ColumnMetaData.Rep.STRING, at.toString().replace('T', ' ')
                    + (ts.getTimezone() != null ? "+00" : ""));
        }
        return ArrowParameters.value(v, r);
    }
}
