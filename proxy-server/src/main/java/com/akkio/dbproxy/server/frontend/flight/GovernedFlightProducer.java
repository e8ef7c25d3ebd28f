package com.akkio.dbproxy.server.frontend.flight;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.Caller;
import com.akkio.dbproxy.server.governed.Gateway;
import com.akkio.dbproxy.server.governed.GovernedConnection;
import com.akkio.dbproxy.server.governed.ProxyError;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import org.apache.arrow.flight.CancelFlightInfoRequest;
import org.apache.arrow.flight.CancelStatus;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.sql.NoOpFlightSqlProducer;
import org.apache.arrow.flight.sql.SqlInfoBuilder;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.MissingResultsException;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.remote.TypedValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flight SQL served from the governed core and nothing else: every statement is prepared, executed and fetched
 * through a {@link GovernedConnection} opened with {@link Gateway#open} for the caller's tenant (policy, rewrite, row
 * cap, limits, timeout and audit happen there), every metadata answer is the core's filtered one. A query's ticket
 * and a prepared statement's handle are random and bound to the tenant ({@link Handles}). Results leave as Arrow
 * batches sized by bytes ({@link BatchSize}), one batch in memory per stream at a time, under the stream's and the
 * tenant's allocator limits ({@link TenantMemory}), written only when the client is ready for more (back-pressure).
 */
final class GovernedFlightProducer extends NoOpFlightSqlProducer {
    private static final Logger LOG = LoggerFactory.getLogger(GovernedFlightProducer.class);
    /** How long a stream waits for a client that reads no more before it gives up. */
    private static final long CLIENT_WAIT_MS = 10 * 60_000;
    private static final FlightSql.SqlSupportedCaseSensitivity CASE_INSENSITIVE =
            FlightSql.SqlSupportedCaseSensitivity.SQL_CASE_SENSITIVITY_CASE_INSENSITIVE;

    private final Gateway gateway;
    private final BufferAllocator allocator;
    private final TenantMemory memory;
    private final Handles handles = new Handles();
    private final SecureRandom random = new SecureRandom();
    private final SqlInfoBuilder sqlInfo;

    GovernedFlightProducer(Gateway gateway, BufferAllocator allocator, TenantMemory memory) {
        this.gateway = gateway;
        this.allocator = allocator;
        this.memory = memory;
        this.sqlInfo = new SqlInfoBuilder()
                .withFlightSqlServerName("akkio-dbproxy")
                .withFlightSqlServerVersion(String.valueOf(GovernedFlightProducer.class.getPackage()
                        .getImplementationVersion()))
                .withFlightSqlServerArrowVersion(String.valueOf(VectorSchemaRoot.class.getPackage()
                        .getImplementationVersion()))
                .withFlightSqlServerReadOnly(false)
                .withFlightSqlServerSql(true)
                .withFlightSqlServerSubstrait(false)
                .withFlightSqlServerTransaction(FlightSql.SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_NONE)
                .withFlightSqlServerCancel(true)
                .withFlightSqlServerBulkIngestion(true)
                .withFlightSqlServerBulkIngestionTransaction(false)
                .withSqlIdentifierQuoteChar("\"")
                .withSqlQuotedIdentifierCase(CASE_INSENSITIVE)
                .withSqlIdentifierCase(CASE_INSENSITIVE);
    }

    // ------------------------------------------------------------------ connections

    private GovernedConnection open(Caller caller) {
        byte[] id = new byte[12];
        random.nextBytes(id);
        return gateway.open("flight-" + java.util.HexFormat.of().formatHex(id), caller);
    }

    private static void closeQuietly(GovernedConnection c) {
        try {
            c.close();
        } catch (RuntimeException e) {
            LOG.debug("closing a Flight connection failed: {}", e.getMessage());
        }
    }

    /** Runs {@code work} on a governed connection opened for it alone and closed after it, failed or not. */
    private <T> T onOwnConnection(Caller caller, Function<GovernedConnection, T> work) {
        GovernedConnection c = open(caller);
        try {
            return work.apply(c);
        } finally {
            closeQuietly(c);
        }
    }

    /** Closes the governed connection {@code id} of {@code tenant} (null: none), gone already or not. */
    private void closeConnection(String id, String tenant) {
        if (id != null) {
            try {
                closeQuietly(gateway.connection(id, new Caller(tenant, null, null)));
            } catch (ProxyError gone) {
                // the connection expired already
            }
        }
    }

    /** Closes a statement for good. */
    private void close(Handles.Entry e) {
        closeConnection(e.close(), e.tenant);
    }

    /** A statement decided and prepared on a connection of its own, with the result it declares. */
    private record Preparation(GovernedConnection connection, Meta.StatementHandle statement, Schema schema,
                               boolean returnsRows) {
    }

    /** Decides and prepares {@code sql} on a new connection, closed again if that fails. */
    private Preparation prepareAlone(Caller caller, String sql) {
        GovernedConnection c = open(caller);
        try {
            Meta.StatementHandle h = c.prepare(sql, -1);
            boolean returnsRows = c.returnsRows(h);
            Schema schema = returnsRows && h.signature != null ? ArrowTypes.schema(h.signature.columns)
                    : new Schema(List.of());
            return new Preparation(c, h, schema, returnsRows);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /** Decides and prepares {@code sql} on a connection of its own; the statement's handle is bound to the tenant. */
    private byte[] prepare(Caller caller, String sql) {
        Preparation p = prepareAlone(caller, sql);
        return handles.add(new Handles.Entry(caller.tenant(), sql, p.connection().id(), p.statement(), p.schema(),
                p.returnsRows()));
    }

    /** One execution's connection and backend statement; closing it ends the execution ({@link #finish}). */
    private final class Lease implements AutoCloseable {
        private final Handles.Entry entry;
        final GovernedConnection connection;
        final Meta.StatementHandle statement;

        Lease(Handles.Entry entry, GovernedConnection connection, Meta.StatementHandle statement) {
            this.entry = entry;
            this.connection = connection;
            this.statement = statement;
        }

        @Override
        public void close() {
            finish(entry);
        }
    }

    /**
     * Starts an execution of {@code e}: on the connection it is prepared on, or, when it gave that back after its
     * last execution, on a new one where it is decided and prepared again (its declared result must not have
     * changed: {@code PREPARED_RESULT_CHANGED}).
     */
    private Lease lease(Handles.Entry e, Caller caller) {
        while (true) {
            Handles.Entry.Prepared p = e.start();
            if (p != null) {
                try {
                    return new Lease(e, gateway.connection(p.connectionId(), caller), p.statement());
                } catch (RuntimeException ex) {
                    finish(e);
                    throw ex;
                }
            }
            Preparation again = prepareAlone(caller, e.sql);
            GovernedConnection c = again.connection();
            if (!again.schema().equals(e.schema)) {
                closeQuietly(c);
                throw ProxyError.of(ErrorCode.PREPARED_RESULT_CHANGED, "the statement's result columns are now "
                        + again.schema().getFields() + ", it was prepared with " + e.schema.getFields());
            }
            if (e.prepared(c.id(), again.statement())) {
                return new Lease(e, c, again.statement());
            }
            closeQuietly(c); // closed meanwhile (start refuses it), or prepared by another execution (start takes it)
        }
    }

    /** Ends an execution; the last one running gives the statement's connection back. */
    private void finish(Handles.Entry e) {
        closeConnection(e.finish(), e.tenant);
    }

    /** Closes statements whose clients went away without closing them (called periodically). */
    void expire(long idleNanos) {
        for (Handles.Entry e : handles.removeOlderThan(System.nanoTime() - idleNanos)) {
            close(e);
        }
    }

    // ------------------------------------------------------------------ statements

    @Override
    public FlightInfo getFlightInfoStatement(FlightSql.CommandStatementQuery command, CallContext context,
                                             FlightDescriptor descriptor) {
        return FlightErrors.answering(() -> {
            Caller caller = FlightLogin.caller();
            byte[] handle = prepare(caller, command.getQuery());
            Handles.Entry e = handles.get(handle, caller);
            Message ticket = FlightSql.TicketStatementQuery.newBuilder()
                    .setStatementHandle(ByteString.copyFrom(handle)).build();
            return info(e.schema, descriptor, ticket);
        });
    }

    @Override
    public SchemaResult getSchemaStatement(FlightSql.CommandStatementQuery command, CallContext context,
                                           FlightDescriptor descriptor) {
        return FlightErrors.answering(() -> {
            Caller caller = FlightLogin.caller();
            Handles.Entry e = handles.remove(prepare(caller, command.getQuery()), caller);
            close(e);
            return new SchemaResult(e.schema);
        });
    }

    @Override
    public void getStreamStatement(FlightSql.TicketStatementQuery ticket, CallContext context,
                                   ServerStreamListener listener) {
        byte[] handle = ticket.getStatementHandle().toByteArray();
        FlightErrors.answering(listener::error, () -> {
            Caller caller = FlightLogin.caller();
            Handles.Entry e = handles.get(handle, caller);
            // a query's ticket is good for one stream; it names the statement for a cancel until the stream ends
            if (!e.streamed.compareAndSet(false, true)) {
                throw ProxyError.unknownHandle("statement");
            }
            try {
                stream(e, caller, listener);
            } finally {
                try {
                    handles.remove(handle, caller);
                } catch (ProxyError gone) {
                    // expired meanwhile
                }
                close(e);
            }
        });
    }

    @Override
    public void createPreparedStatement(FlightSql.ActionCreatePreparedStatementRequest request, CallContext context,
                                        StreamListener<Result> listener) {
        FlightErrors.answering(listener::onError, () -> {
            Caller caller = FlightLogin.caller();
            byte[] handle = prepare(caller, request.getQuery());
            Handles.Entry e = handles.get(handle, caller);
            Meta.StatementHandle prepared = e.statement(); // held from its preparation until a first execution
            Schema parameters = ArrowParameters.schema(prepared == null || prepared.signature == null ? List.of()
                    : prepared.signature.parameters);
            FlightSql.ActionCreatePreparedStatementResult result = FlightSql.ActionCreatePreparedStatementResult
                    .newBuilder()
                    .setPreparedStatementHandle(ByteString.copyFrom(handle))
                    .setDatasetSchema(ByteString.copyFrom(e.schema.serializeAsMessage()))
                    .setParameterSchema(ByteString.copyFrom(parameters.serializeAsMessage()))
                    .build();
            listener.onNext(new Result(Any.pack(result).toByteArray()));
            listener.onCompleted();
        });
    }

    @Override
    public void closePreparedStatement(FlightSql.ActionClosePreparedStatementRequest request, CallContext context,
                                       StreamListener<Result> listener) {
        FlightErrors.answering(listener::onError, () -> {
            Caller caller = FlightLogin.caller();
            close(handles.remove(request.getPreparedStatementHandle().toByteArray(), caller));
            listener.onCompleted();
        });
    }

    @Override
    public FlightInfo getFlightInfoPreparedStatement(FlightSql.CommandPreparedStatementQuery command,
                                                     CallContext context, FlightDescriptor descriptor) {
        return FlightErrors.answering(() -> {
            Handles.Entry e = handles.get(command.getPreparedStatementHandle().toByteArray(), FlightLogin.caller());
            return info(e.schema, descriptor, command);
        });
    }

    @Override
    public SchemaResult getSchemaPreparedStatement(FlightSql.CommandPreparedStatementQuery command,
                                                   CallContext context, FlightDescriptor descriptor) {
        return FlightErrors.answering(() -> new SchemaResult(handles.get(
                command.getPreparedStatementHandle().toByteArray(), FlightLogin.caller()).schema));
    }

    @Override
    public void getStreamPreparedStatement(FlightSql.CommandPreparedStatementQuery command, CallContext context,
                                           ServerStreamListener listener) {
        FlightErrors.answering(listener::error, () -> {
            Caller caller = FlightLogin.caller();
            stream(handles.get(command.getPreparedStatementHandle().toByteArray(), caller), caller, listener);
        });
    }

    /** Binds parameters for the next execution of a prepared query (the last row the client sent). */
    @Override
    public Runnable acceptPutPreparedStatementQuery(FlightSql.CommandPreparedStatementQuery command,
                                                    CallContext context, FlightStream flightStream,
                                                    StreamListener<PutResult> ackStream) {
        Caller caller = FlightLogin.caller();
        return () -> FlightErrors.answering(ackStream::onError, () -> {
            Handles.Entry e = handles.get(command.getPreparedStatementHandle().toByteArray(), caller);
            List<List<TypedValue>> rows = parameterRows(flightStream);
            e.parameters = rows.isEmpty() ? List.of() : rows.get(rows.size() - 1);
            ackStream.onCompleted();
        });
    }

    /** Runs a prepared statement that changes data once per parameter row (once when there are none). */
    @Override
    public Runnable acceptPutPreparedStatementUpdate(FlightSql.CommandPreparedStatementUpdate command,
                                                     CallContext context, FlightStream flightStream,
                                                     StreamListener<PutResult> ackStream) {
        Caller caller = FlightLogin.caller();
        return acknowledged(ackStream, () -> {
            Handles.Entry e = handles.get(command.getPreparedStatementHandle().toByteArray(), caller);
            List<List<TypedValue>> rows = parameterRows(flightStream);
            long count = 0;
            try (Lease lease = lease(e, caller)) {
                for (List<TypedValue> row : rows.isEmpty() ? List.of(List.<TypedValue>of()) : rows) {
                    count += Math.max(0, updateCount(core(() -> lease.connection.executePrepared(
                            lease.statement, row, 0))));
                }
            }
            return count;
        });
    }

    @Override
    public Runnable acceptPutStatement(FlightSql.CommandStatementUpdate command, CallContext context,
                                       FlightStream flightStream, StreamListener<PutResult> ackStream) {
        Caller caller = FlightLogin.caller();
        return acknowledged(ackStream, () -> onOwnConnection(caller, c -> {
            Meta.StatementHandle h = c.createStatement();
            return Math.max(0, updateCount(core(() -> c.execute(h, command.getQuery(), -1, 0))));
        }));
    }

    /** Bulk ingest, governed as the CREATE and INSERT it amounts to ({@link BulkIngest}), on its own connection. */
    @Override
    public Runnable acceptPutStatementBulkIngest(FlightSql.CommandStatementIngest command, CallContext context,
                                                 FlightStream flightStream, StreamListener<PutResult> ackStream) {
        Caller caller = FlightLogin.caller();
        return acknowledged(ackStream, () -> {
            try (BufferAllocator ingest = memory.stream(caller.tenant(), "flight-ingest")) {
                return onOwnConnection(caller, c -> core(() -> new BulkIngest(c, command, ingest,
                        new IngestStreamReader(IpcCompression.readWithOurCodecs(flightStream, memory.streamBytes()),
                                ingest, memory)).run()));
            }
        });
    }

    /** The rows of parameters a client sent, its compressed batches read by our bounded codecs. */
    private List<List<TypedValue>> parameterRows(FlightStream flightStream) {
        return ArrowParameters.rows(IpcCompression.readWithOurCodecs(flightStream, memory.streamBytes()));
    }

    /** The work of a DoPut, answered with the number of rows it changed (or its failure). */
    private Runnable acknowledged(StreamListener<PutResult> ackStream, LongSupplier work) {
        return () -> FlightErrors.answering(ackStream::onError, () -> ack(ackStream, work.getAsLong()));
    }

    private static long updateCount(Meta.ExecuteResult result) {
        return result.resultSets.isEmpty() ? 0 : result.resultSets.get(0).updateCount;
    }

    private void ack(StreamListener<PutResult> ackStream, long count) {
        byte[] bytes = FlightSql.DoPutUpdateResult.newBuilder().setRecordCount(count).build().toByteArray();
        try (ArrowBuf buffer = allocator.buffer(bytes.length)) {
            buffer.writeBytes(bytes);
            ackStream.onNext(PutResult.metadata(buffer));
        }
        ackStream.onCompleted();
    }

    /** Stops the backend statement behind a query's ticket or a prepared statement's execution. */
    @Override
    public void cancelFlightInfo(CancelFlightInfoRequest request, CallContext context,
                                 StreamListener<CancelStatus> listener) {
        FlightErrors.answering(listener::onError, () -> {
            Caller caller = FlightLogin.caller();
            for (FlightEndpoint endpoint : request.getInfo().getEndpoints()) {
                byte[] handle = handleOf(endpoint.getTicket());
                String running = handles.get(handle, caller).connectionId();
                if (running != null) {
                    gateway.connection(running, caller).cancel();
                }
            }
            listener.onNext(CancelStatus.CANCELLED);
            listener.onCompleted();
        });
    }

    private static byte[] handleOf(Ticket ticket) {
        try {
            Any any = Any.parseFrom(ticket.getBytes());
            if (any.is(FlightSql.TicketStatementQuery.class)) {
                return any.unpack(FlightSql.TicketStatementQuery.class).getStatementHandle().toByteArray();
            }
            if (any.is(FlightSql.CommandPreparedStatementQuery.class)) {
                return any.unpack(FlightSql.CommandPreparedStatementQuery.class).getPreparedStatementHandle()
                        .toByteArray();
            }
        } catch (InvalidProtocolBufferException e) {
            // answered as unknown below
        }
        throw ProxyError.unknownHandle("statement");
    }

    /**
     * Executes a prepared statement and streams its result in Arrow batches: the backend's own when it exports Arrow
     * and every column can leave in its declared type from there ({@link ExportedBatches}), else built from rows.
     * What fails is thrown for the handler to end the stream with.
     */
    private void stream(Handles.Entry e, Caller caller, ServerStreamListener listener) {
        try (Lease lease = lease(e, caller)) {
            GovernedConnection c = lease.connection;
            Meta.StatementHandle statement = lease.statement;
            if (c.exportsArrow() && statement.signature != null
                    && ExportedBatches.exportable(statement.signature.columns)) {
                streamExported(e, c, statement, caller, listener);
                return;
            }
            int fetchRows = BatchSize.rowPathRows(e.schema, memory.streamBytes());
            Meta.MetaResultSet rs = core(() -> c.executePrepared(statement, e.parameters, fetchRows))
                    .resultSets.get(0);
            listener.setOnCancelHandler(c::cancel);
            try (BufferAllocator stream = memory.stream(caller.tenant(), "flight-stream");
                 VectorSchemaRoot root = VectorSchemaRoot.create(e.schema, stream)) {
                listener.start(root);
                IpcCompression.apply(listener, root);
                Meta.Frame frame = rs.firstFrame;
                long offset = 0;
                while (frame != null) {
                    List<Object> rows = new ArrayList<>();
                    frame.rows.forEach(rows::add);
                    if (!rows.isEmpty()) {
                        if (!ClientReady.await(listener, CLIENT_WAIT_MS)) {
                            throw ProxyError.cancelledByClient(caller.tenant());
                        }
                        fill(stream, root, rows);
                        listener.putNext();
                    }
                    offset += rows.size();
                    if (frame.done) {
                        break;
                    }
                    long next = offset;
                    frame = core(() -> c.fetch(statement, next, fetchRows));
                }
                listener.completed();
            }
        }
    }

    /**
     * Streams the backend's Arrow export of the statement's result: each exported batch, as far as the row cap lets
     * it, moved or converted into the declared schema and written when the client is ready for it.
     *
     * <p>The exported buffers are the backend's memory, already spent when Arrow imports them; they are accounted in
     * an allocator of their own, and held in the stream's (a reservation, {@link TenantMemory.Held}) while the stream
     * has them: a batch that does not fit the stream's or the tenant's limit ends the stream as a built one would.
     * Not by the import allocator's limit: Arrow's C data import leaks its array struct when an allocation fails
     * midway.
     */
    private void streamExported(Handles.Entry e, GovernedConnection c, Meta.StatementHandle statement, Caller caller,
                                ServerStreamListener listener) {
        listener.setOnCancelHandler(c::cancel);
        try (BufferAllocator stream = memory.stream(caller.tenant(), "flight-stream");
             // closed after the batch that may still hold its buffers (the import's structs live until then)
             BufferAllocator imported = allocator.newChildAllocator("flight-export", 0, Long.MAX_VALUE);
             TenantMemory.Held held = new TenantMemory.Held(stream);
             VectorSchemaRoot root = VectorSchemaRoot.create(e.schema, stream);
             GovernedConnection.ArrowResult result = core(() -> c.executePreparedArrow(statement, e.parameters,
                     imported, BatchSize.rows(e.schema, memory.streamBytes())))) {
            try {
                listener.start(root);
                IpcCompression.apply(listener, root);
                ArrowReader reader = result.reader();
                if (reader != null) {
                    VectorSchemaRoot exported = reader.getVectorSchemaRoot();
                    ExportedBatches batches = ExportedBatches.plan(exported, root, reader);
                    while (!result.capped() && reader.loadNextBatch()) {
                        if (!held.hold(imported.getAllocatedMemory())) {
                            throw new OutOfMemoryException("an exported batch of " + imported.getAllocatedMemory()
                                    + " bytes");
                        }
                        int rows = result.admit(exported.getRowCount());
                        if (rows == 0) {
                            continue;
                        }
                        if (!ClientReady.await(listener, CLIENT_WAIT_MS)) {
                            throw ProxyError.cancelledByClient(caller.tenant());
                        }
                        // moved columns are the stream's own buffers from here: held are only the others
                        held.close();
                        batches.copy(exported, root, rows);
                        if (!held.hold(imported.getAllocatedMemory())) {
                            throw new OutOfMemoryException("an exported batch");
                        }
                        listener.putNext();
                    }
                }
                result.finish();
                listener.completed();
            } catch (IOException | RuntimeException ex) {
                throw result.fail(memoryExceeded(stream, ex));
            }
        }
    }

    /** A failure caused by the stream's or the tenant's allocator limit, as the client sees it; any other as it is. */
    private RuntimeException memoryExceeded(BufferAllocator stream, Exception ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryException) {
                return memory.exceeded(stream, "a batch of the result");
            }
        }
        return ex instanceof RuntimeException re ? re : new IllegalStateException(ex.getMessage(), ex);
    }

    private void fill(BufferAllocator stream, VectorSchemaRoot root, List<?> rows) {
        try {
            ArrowRows.fill(root, rows);
        } catch (OutOfMemoryException oom) {
            throw memory.exceeded(stream, "a batch of " + rows.size() + " rows");
        }
    }

    // ------------------------------------------------------------------ metadata

    @Override
    public void getStreamSqlInfo(FlightSql.CommandGetSqlInfo command, CallContext context,
                                 ServerStreamListener listener) {
        sqlInfo.send(command.getInfoList(), listener);
    }

    @Override
    public FlightInfo getFlightInfoSqlInfo(FlightSql.CommandGetSqlInfo request, CallContext context,
                                           FlightDescriptor descriptor) {
        return info(Schemas.GET_SQL_INFO_SCHEMA, descriptor, request);
    }

    @Override
    public FlightInfo getFlightInfoCatalogs(FlightSql.CommandGetCatalogs request, CallContext context,
                                            FlightDescriptor descriptor) {
        return info(Schemas.GET_CATALOGS_SCHEMA, descriptor, request);
    }

    @Override
    public void getStreamCatalogs(CallContext context, ServerStreamListener listener) {
        metadata(listener, Schemas.GET_CATALOGS_SCHEMA, GovernedConnection::catalogs, row -> new Object[] {row[0]});
    }

    @Override
    public FlightInfo getFlightInfoSchemas(FlightSql.CommandGetDbSchemas request, CallContext context,
                                           FlightDescriptor descriptor) {
        return info(Schemas.GET_SCHEMAS_SCHEMA, descriptor, request);
    }

    @Override
    public void getStreamSchemas(FlightSql.CommandGetDbSchemas command, CallContext context,
                                 ServerStreamListener listener) {
        String catalog = command.hasCatalog() ? command.getCatalog() : null;
        String schemas = command.hasDbSchemaFilterPattern() ? command.getDbSchemaFilterPattern() : null;
        // JDBC's order is TABLE_SCHEM, TABLE_CATALOG
        metadata(listener, Schemas.GET_SCHEMAS_SCHEMA, c -> c.schemas(catalog, schemas),
                row -> new Object[] {row[1], row[0]});
    }

    @Override
    public FlightInfo getFlightInfoTables(FlightSql.CommandGetTables request, CallContext context,
                                          FlightDescriptor descriptor) {
        return info(request.getIncludeSchema() ? Schemas.GET_TABLES_SCHEMA : Schemas.GET_TABLES_SCHEMA_NO_SCHEMA,
                descriptor, request);
    }

    @Override
    public void getStreamTables(FlightSql.CommandGetTables command, CallContext context,
                                ServerStreamListener listener) {
        String catalog = command.hasCatalog() ? command.getCatalog() : null;
        String schemas = command.hasDbSchemaFilterPattern() ? command.getDbSchemaFilterPattern() : null;
        String tables = command.hasTableNameFilterPattern() ? command.getTableNameFilterPattern() : null;
        List<String> types = command.getTableTypesCount() == 0 ? null : command.getTableTypesList();
        if (!command.getIncludeSchema()) {
            metadata(listener, Schemas.GET_TABLES_SCHEMA_NO_SCHEMA, c -> c.tables(catalog, schemas, tables, types),
                    row -> new Object[] {row[0], row[1], row[2], row[3]});
            return;
        }
        metadataRows(listener, Schemas.GET_TABLES_SCHEMA, c -> {
            Map<List<Object>, Schema> columns = TableSchemas.of(c.columns(catalog, schemas, tables, null));
            List<Object[]> out = new ArrayList<>();
            for (Object row : c.tables(catalog, schemas, tables, types).firstFrame.rows) {
                Object[] r = (Object[]) row;
                Schema s = columns.getOrDefault(List.of(r[0], r[1], r[2]), new Schema(List.of()));
                out.add(new Object[] {r[0], r[1], r[2], r[3], s.serializeAsMessage()});
            }
            return out;
        });
    }

    @Override
    public FlightInfo getFlightInfoPrimaryKeys(FlightSql.CommandGetPrimaryKeys request, CallContext context,
                                               FlightDescriptor descriptor) {
        return info(Schemas.GET_PRIMARY_KEYS_SCHEMA, descriptor, request);
    }

    /** The key columns of a table the tenant may read (none for one it may not), in JDBC's order, as Flight's. */
    @Override
    public void getStreamPrimaryKeys(FlightSql.CommandGetPrimaryKeys command, CallContext context,
                                     ServerStreamListener listener) {
        String catalog = command.hasCatalog() ? command.getCatalog() : null;
        String schema = command.hasDbSchema() ? command.getDbSchema() : null;
        metadataRows(listener, Schemas.GET_PRIMARY_KEYS_SCHEMA, c -> {
            List<Object[]> out = new ArrayList<>();
            for (Object row : c.primaryKeys(catalog, schema, command.getTable())) {
                out.add((Object[]) row);
            }
            return out;
        });
    }

    @Override
    public FlightInfo getFlightInfoImportedKeys(FlightSql.CommandGetImportedKeys request, CallContext context,
                                                FlightDescriptor descriptor) {
        return info(Schemas.GET_IMPORTED_KEYS_SCHEMA, descriptor, request);
    }

    @Override
    public void getStreamImportedKeys(FlightSql.CommandGetImportedKeys command, CallContext context,
                                      ServerStreamListener listener) {
        String catalog = command.hasCatalog() ? command.getCatalog() : null;
        String schema = command.hasDbSchema() ? command.getDbSchema() : null;
        metadata(listener, Schemas.GET_IMPORTED_KEYS_SCHEMA, c -> c.importedKeys(catalog, schema,
                command.getTable()), GovernedFlightProducer::foreignKey);
    }

    @Override
    public FlightInfo getFlightInfoExportedKeys(FlightSql.CommandGetExportedKeys request, CallContext context,
                                                FlightDescriptor descriptor) {
        return info(Schemas.GET_EXPORTED_KEYS_SCHEMA, descriptor, request);
    }

    @Override
    public void getStreamExportedKeys(FlightSql.CommandGetExportedKeys command, CallContext context,
                                      ServerStreamListener listener) {
        String catalog = command.hasCatalog() ? command.getCatalog() : null;
        String schema = command.hasDbSchema() ? command.getDbSchema() : null;
        metadata(listener, Schemas.GET_EXPORTED_KEYS_SCHEMA, c -> c.exportedKeys(catalog, schema,
                command.getTable()), GovernedFlightProducer::foreignKey);
    }

    @Override
    public FlightInfo getFlightInfoCrossReference(FlightSql.CommandGetCrossReference request, CallContext context,
                                                  FlightDescriptor descriptor) {
        return info(Schemas.GET_CROSS_REFERENCE_SCHEMA, descriptor, request);
    }

    @Override
    public void getStreamCrossReference(FlightSql.CommandGetCrossReference command, CallContext context,
                                        ServerStreamListener listener) {
        metadata(listener, Schemas.GET_CROSS_REFERENCE_SCHEMA, c -> c.crossReference(
                command.hasPkCatalog() ? command.getPkCatalog() : null,
                command.hasPkDbSchema() ? command.getPkDbSchema() : null, command.getPkTable(),
                command.hasFkCatalog() ? command.getFkCatalog() : null,
                command.hasFkDbSchema() ? command.getFkDbSchema() : null, command.getFkTable()),
                GovernedFlightProducer::foreignKey);
    }

    /**
     * A foreign key column in Flight's order: JDBC's up to KEY_SEQ, then the key names (FK_NAME, PK_NAME) before the
     * rules (UPDATE_RULE, DELETE_RULE; Flight numbers them as JDBC does).
     */
    private static Object[] foreignKey(Object[] r) {
        return new Object[] {r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[11], r[12], r[9], r[10]};
    }

    @Override
    public FlightInfo getFlightInfoTableTypes(FlightSql.CommandGetTableTypes request, CallContext context,
                                              FlightDescriptor descriptor) {
        return info(Schemas.GET_TABLE_TYPES_SCHEMA, descriptor, request);
    }

    @Override
    public void getStreamTableTypes(CallContext context, ServerStreamListener listener) {
        metadata(listener, Schemas.GET_TABLE_TYPES_SCHEMA, GovernedConnection::tableTypes,
                row -> new Object[] {row[0]});
    }

    @Override
    public FlightInfo getFlightInfoTypeInfo(FlightSql.CommandGetXdbcTypeInfo request, CallContext context,
                                            FlightDescriptor descriptor) {
        return info(Schemas.GET_TYPE_INFO_SCHEMA, descriptor, request);
    }

    @Override
    public void getStreamTypeInfo(FlightSql.CommandGetXdbcTypeInfo request, CallContext context,
                                  ServerStreamListener listener) {
        metadataRows(listener, Schemas.GET_TYPE_INFO_SCHEMA, c -> {
            List<Object[]> out = new ArrayList<>();
            for (Object row : c.typeInfo().firstFrame.rows) {
                Object[] t = XdbcTypes.row((Object[]) row);
                if (!request.hasDataType() || request.getDataType() == ((Number) t[1]).intValue()) {
                    out.add(t);
                }
            }
            return out;
        });
    }

    private interface MetadataCall {
        Meta.MetaResultSet run(GovernedConnection c);
    }

    private void metadata(ServerStreamListener listener, Schema schema, MetadataCall call,
                          Function<Object[], Object[]> shape) {
        metadataRows(listener, schema, c -> {
            List<Object[]> out = new ArrayList<>();
            for (Object row : call.run(c).firstFrame.rows) {
                out.add(shape.apply((Object[]) row));
            }
            return out;
        });
    }

    /**
     * Answers a metadata request from the core's filtered answer, asked on a connection opened for it (and given
     * back before the answer is sent).
     */
    private void metadataRows(ServerStreamListener listener, Schema schema,
                              Function<GovernedConnection, List<Object[]>> rows) {
        FlightErrors.answering(listener::error, () -> {
            Caller caller = FlightLogin.caller();
            List<Object[]> answer = onOwnConnection(caller, rows);
            try (BufferAllocator stream = memory.stream(caller.tenant(), "flight-metadata");
                 VectorSchemaRoot root = VectorSchemaRoot.create(schema, stream)) {
                listener.start(root);
                IpcCompression.apply(listener, root);
                fill(stream, root, answer);
                listener.putNext();
                listener.completed();
            }
        });
    }

    // ------------------------------------------------------------------ helpers

    /** A FlightInfo whose one endpoint's ticket is {@code command} (served again by this server). */
    private static FlightInfo info(Schema schema, FlightDescriptor descriptor, Message command) {
        return new FlightInfo(schema, descriptor, List.of(new FlightEndpoint(new Ticket(Any.pack(command)
                .toByteArray()))), -1, -1);
    }

    private interface CoreCall<T> {
        T run() throws NoSuchStatementException, MissingResultsException;
    }

    private static <T> T core(CoreCall<T> call) {
        try {
            return call.run();
        } catch (NoSuchStatementException e) {
            throw ProxyError.unknownHandle("statement");
        } catch (MissingResultsException e) {
            throw ProxyError.of(ErrorCode.RESULT_GONE, "the result no longer exists in the proxy");
        }
    }
}
