package com.akkio.dbproxy.server.frontend.pgwire;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.policy.TenantPolicy;
import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.Caller;
import com.akkio.dbproxy.server.governed.GovernedConnection;
import com.akkio.dbproxy.server.governed.ProxyError;
import com.akkio.dbproxy.server.config.ProxyConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.MissingResultsException;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.remote.TypedValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL client connection: startup and authentication, then the simple and extended query protocols, each
 * statement run through a governed connection of the authenticated tenant, exactly as an Avatica client's
 * would be. Netty's event loop only decodes and hands messages over; everything else runs in order on the session's
 * {@link SerialExecutor}, so the backend never blocks an event loop.
 */
final class PgConnection extends ChannelInboundHandlerAdapter implements ResultStream.Session {
    private static final Logger LOG = LoggerFactory.getLogger(PgConnection.class);
    /** What clients are told: drivers parse it (SQLAlchemy needs "PostgreSQL N.M" in version()). */
    static final String SERVER_VERSION = "14.0";
    private static final String VERSION_TEXT = "PostgreSQL " + SERVER_VERSION + " (akkio-dbproxy governed gateway;"
            + " the backend is not PostgreSQL)";
    /** Rows per frame asked of the backend when the client did not limit them: results stream in frames this size. */
    static final int FRAME_ROWS = 1000;
    private static final long AUTHENTICATION_TIMEOUT_SECONDS = 60;
    /** Named statements, portals and cursors a connection may keep open, each. */
    static final int MAX_HANDLES = 1000;
    private static final Meta.PrepareCallback NO_CALLBACK = new Meta.PrepareCallback() {
        @Override
        public Object getMonitor() {
            return PgConnection.class;
        }

        @Override
        public void clear() {
        }

        @Override
        public void assign(Meta.Signature signature, Meta.Frame firstFrame, long updateCount) {
        }

        @Override
        public void execute() {
        }
    };

    private final PgServer server;
    private final PgDecoder decoder;
    private final SerialExecutor executor;
    final int pid;
    final int secretKey;
    private Channel channel;

    // -- session state, touched only by tasks on the serial executor (and read by cancel)
    private boolean tls;
    private String tenant;
    private String applicationName;
    private PgLogin login;
    private volatile GovernedConnection connection;
    private boolean closed;
    private char txStatus = 'I';
    private boolean wroteInBlock;
    private boolean skipToSync;
    private Map<String, String> settings;
    private Meta.StatementHandle simple;
    private final Map<String, Prepared> statements = new HashMap<>();
    private final Map<String, Portal> portals = new HashMap<>();
    private final Map<String, SqlCursor> cursors = new HashMap<>();
    private volatile boolean busy;
    private volatile boolean cancelRequested;
    private ChannelFuture lastWrite;

    PgConnection(PgServer server, PgDecoder decoder, int pid, int secretKey) {
        this.server = server;
        this.decoder = decoder;
        this.executor = new SerialExecutor(server.workers());
        this.pid = pid;
        this.secretKey = secretKey;
    }

    /** A statement the client prepared (Parse): answered locally, or a governed prepared statement. */
    private static final class Prepared {
        final String sql;
        final LocalStatement local;
        int[] paramOids;
        Meta.StatementHandle handle;
        Portal active;

        Prepared(String sql, LocalStatement local, int[] paramOids) {
            this.sql = sql;
            this.local = local;
            this.paramOids = paramOids;
        }
    }

    /** A cursor opened with DECLARE: its own backend statement and open result; WITH HOLD outlives the transaction. */
    private record SqlCursor(Meta.StatementHandle handle, ResultStream result, boolean hold) {
    }

    /** A bound statement (Bind) and, once executed, its open result. */
    private static final class Portal {
        final Prepared prepared;
        final List<TypedValue> parameters;
        final short[] resultFormats;
        ResultStream result;
        boolean finished;

        Portal(Prepared prepared, List<TypedValue> parameters, short[] resultFormats) {
            this.prepared = prepared;
            this.parameters = parameters;
            this.resultFormats = resultFormats;
        }
    }

    static int format(short[] formats, int i) {
        return formats.length == 0 ? 0 : formats.length == 1 ? formats[0] : formats[i];
    }

    // ================================================================== Netty side (event loop)

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        // as PostgreSQL's authentication_timeout: a connection that does not log in soon holds nothing for long
        ctx.executor().schedule(() -> {
            if (connection == null && channel.isActive()) {
                executor.execute(() -> {
                    if (connection == null && !closed) {
                        fatal("08006", "AUTHENTICATION_TIMEOUT: no login within " + AUTHENTICATION_TIMEOUT_SECONDS
                                + " s");
                    }
                });
            }
        }, AUTHENTICATION_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof PgDecoder.Startup s && s.code() == PgDecoder.SSL_REQUEST) {
            sslRequest(ctx);
        } else if (msg instanceof PgDecoder.Startup s && s.code() == PgDecoder.GSSENC_REQUEST) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
        } else if (msg instanceof PgDecoder.Startup s && s.code() == PgDecoder.CANCEL_REQUEST) {
            PgIn in = new PgIn(s.body());
            server.cancel(in.int32(), in.int32());
            ctx.close();
        } else {
            executor.execute(() -> handle(msg));
            if (executor.pending() > 256) {
                // a client pipelining faster than statements run waits instead of filling the heap
                channel.config().setAutoRead(false);
            }
        }
    }

    private void sslRequest(ChannelHandlerContext ctx) {
        if (tls || server.sslContext() == null) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
            return;
        }
        try {
            decoder.checkNothingBuffered();
        } catch (PgIn.ProtocolViolation e) {
            ctx.close();
            return;
        }
        tls = true;
        ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'S'}));
        ctx.pipeline().addFirst("tls", server.sslContext().newHandler(ctx.alloc()));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        server.forget(this);
        if (busy) {
            cancel(); // the running statement is for nobody now
        }
        executor.execute(this::closeSession);
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && !busy) {
            executor.execute(() -> fatal("57P05", "IDLE_TIMEOUT: connection idle for longer than"
                    + " server.idle_connection_timeout_seconds"));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("PostgreSQL connection failed", cause);
        ctx.close();
    }

    /** A CancelRequest naming this session: stop the running statement, as PostgreSQL does, if there is one. */
    void cancel() {
        cancelRequested = true;
        GovernedConnection c = connection;
        if (c != null && busy) {
            server.cancelExecutor().execute(() -> {
                try {
                    c.cancel();
                } catch (RuntimeException e) {
                    LOG.debug("cancel failed", e);
                }
            });
        }
    }

    // ================================================================== session side (serial executor)

    private void handle(Object msg) {
        if (closed) {
            return;
        }
        busy = true;
        try {
            if (msg instanceof PgDecoder.Refused r) {
                fatal(r.sqlState(), r.reason());
            } else if (msg instanceof PgDecoder.Startup s) {
                startup(s);
            } else if (msg instanceof PgDecoder.Message m) {
                if (connection == null) {
                    authenticate(m);
                } else {
                    message(m);
                }
            }
        } catch (PgIn.ProtocolViolation e) {
            fatal("08P01", "PROTOCOL_VIOLATION: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("unexpected failure in a PostgreSQL session of tenant {}", tenant, e);
            fatal("XX000", "INTERNAL_ERROR: the proxy failed to handle the message");
        } finally {
            busy = false;
            if (!channel.config().isAutoRead() && executor.pending() < 64) {
                channel.config().setAutoRead(true);
            }
        }
    }

    // ------------------------------------------------------------------ startup and authentication

    private void startup(PgDecoder.Startup s) {
        int major = s.code() >>> 16;
        if (major != 3) {
            fatal("0A000", "unsupported frontend protocol " + major + "." + (s.code() & 0xffff)
                    + ": the proxy speaks 3.0");
            return;
        }
        if (tenant != null) {
            throw new PgIn.ProtocolViolation("a second startup message");
        }
        PgIn in = new PgIn(s.body());
        Map<String, String> params = new HashMap<>();
        List<String> unsupportedOptions = new ArrayList<>();
        while (in.hasMore()) {
            String name = in.cstring();
            if (name.isEmpty()) {
                break;
            }
            String value = in.cstring();
            if (name.startsWith("_pq_.")) {
                unsupportedOptions.add(name);
            } else {
                params.put(name, value);
            }
        }
        decoder.typed();
        if ((s.code() & 0xffff) != 0 || !unsupportedOptions.isEmpty()) {
            PgOut m = PgOut.message(channel.alloc(), 'v').int32(0).int32(unsupportedOptions.size());
            unsupportedOptions.forEach(m::cstring);
            write(m.done());
        }
        tenant = params.get("user");
        applicationName = params.getOrDefault("application_name", "");
        if (tenant == null || tenant.isEmpty()) {
            refuse(null, "no user (tenant) in the startup message");
            return;
        }
        login = new PgLogin(tenant, server.tenants().get(tenant), tls, server.decoyVerifier());
        answer(login.begin());
    }

    private void authenticate(PgDecoder.Message m) {
        if (login == null || m.type() != 'p') {
            throw new PgIn.ProtocolViolation("expected a password message");
        }
        answer(login.password(m.body()));
    }

    private void answer(PgLogin.Step step) {
        if (step instanceof PgLogin.Challenge c) {
            write(PgOut.authentication(channel.alloc(), c.code(), c.data()));
            channel.flush();
        } else if (step instanceof PgLogin.Failure f) {
            refuse(tenant, f.reason());
        } else if (step instanceof PgLogin.Success ok) {
            login = null;
            if (ok.saslFinal() != null) {
                write(PgOut.authentication(channel.alloc(), 12, ok.saslFinal()));
            }
            openSession(ok.tenant());
        }
    }

    private void refuse(String claimed, String reason) {
        server.refused(claimed, address(), applicationName, reason);
        fatal("28P01", "AUTHENTICATION_FAILED: password authentication failed for user \"" + (claimed == null ? ""
                : claimed) + "\"");
    }

    private void openSession(ProxyConfig.Tenant t) {
        write(PgOut.authentication(channel.alloc(), 0, null));
        Caller c = new Caller(tenant, address(), applicationName.isEmpty() ? "pgwire" : applicationName);
        GovernedConnection opened;
        try {
            opened = server.gateway().open("pg-" + UUID.randomUUID(), c);
        } catch (ProxyError e) {
            fatal(e.getSqlState(), e.getMessage());
            return;
        }
        connection = opened;
        server.register(this);
        TenantPolicy policy = t.policy();
        settings = LocalStatement.defaults(applicationName, policy.defaultSchema());
        for (Map.Entry<String, String> e : LocalStatement.REPORTED.entrySet()) {
            write(PgOut.parameterStatus(channel.alloc(), e.getValue(), settings.get(e.getKey())));
        }
        write(PgOut.parameterStatus(channel.alloc(), "session_authorization", tenant));
        write(PgOut.backendKeyData(channel.alloc(), pid, secretKey));
        readyForQuery();
    }

    private String address() {
        return channel.remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress()
                : String.valueOf(channel.remoteAddress());
    }

    // ------------------------------------------------------------------ messages after login

    private void message(PgDecoder.Message m) {
        char type = m.type();
        if (skipToSync && type != 'S') {
            return; // after an error in an extended-protocol batch, everything up to Sync is skipped
        }
        try {
            switch (type) {
                case 'Q' -> simpleQuery(new PgIn(m.body()).cstring());
                case 'P' -> parse(new PgIn(m.body()));
                case 'B' -> bind(new PgIn(m.body()));
                case 'D' -> describe(new PgIn(m.body()));
                case 'E' -> execute(new PgIn(m.body()));
                case 'C' -> close(new PgIn(m.body()));
                case 'S' -> sync();
                case 'H' -> channel.flush();
                case 'X' -> {
                    closeSession();
                    channel.close();
                }
                case 'd', 'c', 'f' -> throw ProxyError.of(ErrorCode.NOT_SUPPORTED, "COPY is not supported by"
                        + " the proxy");
                case 'F' -> throw ProxyError.of(ErrorCode.NOT_SUPPORTED, "the function call protocol is not"
                        + " supported by the proxy");
                default -> throw new PgIn.ProtocolViolation("unknown message type '" + type + "'");
            }
        } catch (ProxyError e) {
            error(e.getSqlState(), e.getMessage());
            if (type != 'Q') {
                skipToSync = true;
            }
        }
    }

    private void simpleQuery(String sql) {
        cancelRequested = false;
        closePortal(portals.remove(""));
        closeStatement(statements.remove(""));
        try {
            if (LocalStatement.isEmpty(sql)) {
                write(PgOut.empty(channel.alloc(), 'I'));
            } else {
                LocalStatement local = LocalStatement.recognize(sql);
                if (local != null) {
                    runLocal(local, true, new short[0]);
                } else {
                    runSimple(sql);
                }
            }
        } catch (ProxyError e) {
            error(e.getSqlState(), e.getMessage());
        }
        readyForQuery();
    }

    private void runSimple(String sql) {
        refuseInFailedTransaction();
        if (simple == null) {
            simple = connection.createStatement();
        }
        Meta.StatementHandle h = simple;
        Meta.ExecuteResult result;
        try {
            result = call(() -> connection.execute(h, sql, -1, FRAME_ROWS, NO_CALLBACK));
        } catch (ProxyError e) {
            if (interrupted(e)) {
                abandonSimple();
            }
            throw e;
        }
        Meta.MetaResultSet rs = result.resultSets.get(0);
        if (rs.signature == null || rs.updateCount >= 0 || rs.firstFrame == null) {
            completeUpdate(sql, Math.max(0, rs.updateCount));
            return;
        }
        write(PgOut.rowDescription(channel.alloc(), fields(rs.signature.columns, new short[0])));
        try {
            long rows = new ResultStream(this, h, rs.signature.columns, new short[0], rs.firstFrame).sendMore(0);
            write(PgOut.commandComplete(channel.alloc(), "SELECT " + rows));
        } catch (ProxyError e) {
            abandonSimple();
            throw e;
        }
    }

    /** A cancelled or timed-out statement is closed in the backend (DuckDB closes it): it is prepared anew. */
    private static boolean interrupted(ProxyError e) {
        return ErrorCode.QUERY_CANCELLED.sqlState().equals(e.getSqlState());
    }

    private void abandonSimple() {
        Meta.StatementHandle h = simple;
        simple = null;
        closeHandle(h);
    }

    // ------------------------------------------------------------------ extended protocol

    private void parse(PgIn in) {
        String name = in.cstring();
        String sql = in.cstring();
        int n = in.int16();
        int[] oids = new int[Math.max(0, n)];
        for (int i = 0; i < oids.length; i++) {
            oids[i] = in.int32();
        }
        if (!name.isEmpty() && statements.containsKey(name)) {
            throw ProxyError.of(ErrorCode.DUPLICATE_PREPARED_STATEMENT, "prepared statement \"" + name + "\" already exists");
        }
        if (!name.isEmpty()) {
            checkHandles("prepared statements", statements.size());
        }
        LocalStatement local = LocalStatement.recognize(sql);
        if (!(local instanceof LocalStatement.Commit || local instanceof LocalStatement.Rollback)) {
            refuseInFailedTransaction();
        }
        if (name.isEmpty()) {
            closeStatement(statements.remove(""));
        }
        Prepared p = new Prepared(sql, local, oids);
        if (local == null) {
            prepare(p);
        }
        statements.put(name, p);
        write(PgOut.empty(channel.alloc(), '1'));
    }

    /** Prepares through the governed path (the policy decides here); parameter types the client left open are
     * taken from the backend's description. */
    private void prepare(Prepared p) {
        Meta.StatementHandle h = connection.prepare(p.sql, -1);
        p.handle = h;
        List<org.apache.calcite.avatica.AvaticaParameter> params = h.signature == null ? List.of()
                : h.signature.parameters;
        int[] oids = new int[Math.max(params.size(), p.paramOids.length)];
        for (int i = 0; i < oids.length; i++) {
            int given = i < p.paramOids.length ? p.paramOids[i] : 0;
            oids[i] = given != 0 || i >= params.size() ? given : PgType.ofJdbc(params.get(i).parameterType).oid;
        }
        p.paramOids = oids;
    }

    private void bind(PgIn in) {
        String portalName = in.cstring();
        String statementName = in.cstring();
        short[] formats = shorts(in);
        int n = in.int16();
        byte[][] values = new byte[Math.max(0, n)][];
        for (int i = 0; i < values.length; i++) {
            int length = in.int32();
            values[i] = length < 0 ? null : in.bytes(length);
        }
        short[] resultFormats = shorts(in);
        Prepared p = statements.get(statementName);
        if (p == null) {
            throw ProxyError.of(ErrorCode.UNKNOWN_PREPARED_STATEMENT, "prepared statement \"" + statementName + "\" does not exist");
        }
        if (!portalName.isEmpty() && portals.containsKey(portalName)) {
            throw ProxyError.of(ErrorCode.DUPLICATE_PORTAL, "portal \"" + portalName + "\" already exists");
        }
        closePortal(portals.remove(portalName));
        checkHandles("portals", portals.size());
        int expected = p.local != null ? 0 : p.paramOids.length;
        if (values.length != expected) {
            throw ProxyError.of(ErrorCode.BIND_PARAMETER_COUNT, "bind message supplies " + values.length + " parameters, but"
                    + " prepared statement \"" + statementName + "\" requires " + expected);
        }
        if (formats.length > 1 && formats.length != values.length) {
            throw new PgIn.ProtocolViolation("bind message has " + formats.length + " parameter formats for "
                    + values.length + " parameters");
        }
        List<TypedValue> parameters = new ArrayList<>(values.length);
        for (int i = 0; i < values.length; i++) {
            PgType type = PgType.ofOid(p.paramOids[i]);
            try {
                parameters.add((type == null ? PgType.TEXT : type).parameter(values[i], format(formats, i) == 1));
            } catch (RuntimeException e) {
                throw ProxyError.of(ErrorCode.INVALID_PARAMETER_VALUE, "invalid value for parameter $" + (i + 1) + ": "
                        + e.getMessage());
            }
        }
        portals.put(portalName, new Portal(p, parameters, resultFormats));
        write(PgOut.empty(channel.alloc(), '2'));
    }

    private static short[] shorts(PgIn in) {
        int n = in.int16();
        short[] out = new short[Math.max(0, n)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (short) in.int16();
            if (out[i] != 0 && out[i] != 1) {
                throw new PgIn.ProtocolViolation("format code " + out[i]);
            }
        }
        return out;
    }

    private void describe(PgIn in) {
        char what = (char) in.int8();
        String name = in.cstring();
        if (what == 'S') {
            Prepared p = statements.get(name);
            if (p == null) {
                throw ProxyError.of(ErrorCode.UNKNOWN_PREPARED_STATEMENT, "prepared statement \"" + name + "\" does not exist");
            }
            write(PgOut.parameterDescription(channel.alloc(), p.local != null ? new int[0] : p.paramOids));
            describeRows(p, new short[0]);
        } else if (what == 'P') {
            Portal portal = portals.get(name);
            if (portal == null) {
                throw ProxyError.of(ErrorCode.UNKNOWN_PORTAL, "portal \"" + name + "\" does not exist");
            }
            describeRows(portal.prepared, portal.resultFormats);
        } else {
            throw new PgIn.ProtocolViolation("describe of '" + what + "'");
        }
    }

    private void describeRows(Prepared p, short[] formats) {
        List<PgOut.Field> fields;
        if (p.local instanceof LocalStatement.Fetch f) {
            SqlCursor c = cursor(f.name());
            fields = fields(c.result().columns, cursorFormats(c, formats));
        } else if (p.local != null) {
            fields = localFields(p.local, formats);
        } else {
            ensurePrepared(p);
            fields = p.handle.signature == null || !returnsRows(p.handle.signature) ? List.of()
                    : fields(p.handle.signature.columns, formats);
        }
        write(fields.isEmpty() ? PgOut.empty(channel.alloc(), 'n') : PgOut.rowDescription(channel.alloc(), fields));
    }

    private static boolean returnsRows(Meta.Signature signature) {
        return !signature.columns.isEmpty() && (signature.statementType == null
                || signature.statementType == Meta.StatementType.SELECT);
    }

    private void execute(PgIn in) {
        String name = in.cstring();
        int maxRows = in.int32();
        cancelRequested = false;
        Portal portal = portals.get(name);
        if (portal == null) {
            throw ProxyError.of(ErrorCode.UNKNOWN_PORTAL, "portal \"" + name + "\" does not exist");
        }
        Prepared p = portal.prepared;
        if (p.local != null) {
            runLocal(p.local, false, portal.resultFormats);
            return;
        }
        refuseInFailedTransaction();
        if (portal.finished) {
            write(PgOut.commandComplete(channel.alloc(), "SELECT 0"));
            return;
        }
        if (portal.result == null) {
            if (p.active != null && p.active != portal) {
                closePortal(p.active); // one open result per backend statement
            }
            ensurePrepared(p);
            Meta.StatementHandle h = p.handle;
            int first = maxRows > 0 ? Math.min(maxRows, FRAME_ROWS) : FRAME_ROWS;
            Meta.ExecuteResult result;
            try {
                result = call(() -> connection.executePrepared(h, portal.parameters, first));
            } catch (ProxyError e) {
                if (interrupted(e)) {
                    p.handle = null;
                    closeHandle(h);
                }
                throw e;
            }
            Meta.MetaResultSet rs = result.resultSets.get(0);
            if (rs.signature == null || rs.updateCount >= 0 || rs.firstFrame == null) {
                portal.finished = true;
                completeUpdate(p.sql, Math.max(0, rs.updateCount));
                return;
            }
            portal.result = new ResultStream(this, h, rs.signature.columns, portal.resultFormats, rs.firstFrame);
            p.active = portal;
        }
        try {
            portal.result.sendMore(Math.max(0, maxRows));
        } catch (ProxyError e) {
            closePortal(portal);
            throw e;
        }
        if (portal.result.done()) {
            portal.finished = true;
            portal.prepared.active = null;
            write(PgOut.commandComplete(channel.alloc(), "SELECT " + portal.result.sent));
        } else {
            write(PgOut.empty(channel.alloc(), 's'));
        }
    }

    private void close(PgIn in) {
        char what = (char) in.int8();
        String name = in.cstring();
        if (what == 'S') {
            closeStatement(statements.remove(name));
        } else if (what == 'P') {
            closePortal(portals.remove(name));
        } else {
            throw new PgIn.ProtocolViolation("close of '" + what + "'");
        }
        write(PgOut.empty(channel.alloc(), '3'));
    }

    private void sync() {
        skipToSync = false;
        if (txStatus == 'I') {
            closeAllPortals(); // the implicit transaction of the batch ends here, and its portals with it
        }
        readyForQuery();
    }

    // ------------------------------------------------------------------ locally answered statements

    private List<PgOut.Field> localFields(LocalStatement local, short[] formats) {
        List<PgOut.Field> out = new ArrayList<>();
        List<LocalStatement.Column> columns = local.columns();
        for (int i = 0; i < columns.size(); i++) {
            out.add(new PgOut.Field(columns.get(i).name(), columns.get(i).type(), -1, format(formats, i) == 1));
        }
        return out;
    }

    private void runLocal(LocalStatement local, boolean describe, short[] formats) {
        if (!(local instanceof LocalStatement.Commit || local instanceof LocalStatement.Rollback)) {
            refuseInFailedTransaction();
        }
        if (local instanceof LocalStatement.Declare d) {
            declare(d);
            return;
        }
        if (local instanceof LocalStatement.Fetch f) {
            fetch(f, describe, formats);
            return;
        }
        if (local instanceof LocalStatement.CloseCursor c) {
            closeCursors(c.name());
            write(PgOut.commandComplete(channel.alloc(), "CLOSE CURSOR"));
            return;
        }
        String tag;
        List<Object[]> rows = List.of();
        if (local instanceof LocalStatement.Begin) {
            if (txStatus != 'I') {
                notice("25001", "there is already a transaction in progress");
            } else {
                txStatus = 'T';
                wroteInBlock = false;
            }
            tag = "BEGIN";
        } else if (local instanceof LocalStatement.Commit || local instanceof LocalStatement.Rollback) {
            boolean failed = txStatus == 'E';
            if (txStatus == 'I') {
                notice("25P01", "there is no transaction in progress");
            } else if (wroteInBlock && (failed || local instanceof LocalStatement.Rollback)) {
                notice("25000", "AUTOCOMMIT: statements of this transaction block that changed data were already"
                        + " committed; the proxy runs every statement in autocommit mode");
            }
            txStatus = 'I';
            wroteInBlock = false;
            closeAllPortals();
            cursors.entrySet().removeIf(e -> {
                if (!e.getValue().hold()) {
                    closeHandle(e.getValue().handle());
                    return true;
                }
                return false;
            });
            tag = local instanceof LocalStatement.Commit && !failed ? "COMMIT" : "ROLLBACK";
        } else if (local instanceof LocalStatement.Set set) {
            String name = set.name().toLowerCase(Locale.ROOT);
            String value = LocalStatement.checkSetting(name, set.value());
            settings.put(name, value);
            String reported = LocalStatement.REPORTED.get(name);
            if (reported != null) {
                write(PgOut.parameterStatus(channel.alloc(), reported, value));
            }
            tag = "SET";
        } else if (local instanceof LocalStatement.Show show) {
            String value = settings.get(show.name().toLowerCase(Locale.ROOT));
            if (value == null) {
                throw ProxyError.of(ErrorCode.UNKNOWN_SETTING, "unrecognized configuration parameter \"" + show.name() + "\"");
            }
            rows = List.<Object[]>of(new Object[] {value});
            tag = "SHOW";
        } else if (local instanceof LocalStatement.Function f) {
            TenantPolicy policy = server.tenants().get(tenant).policy();
            Object value = switch (f.function()) {
                case "version" -> VERSION_TEXT;
                case "current_schema" -> policy.defaultSchema();
                default -> policy.logicalCatalog(policy.defaultCatalog());
            };
            rows = List.<Object[]>of(new Object[] {value});
            tag = "SELECT 1";
        } else {
            tag = "SELECT 0"; // HstoreOids: no such type here
        }
        List<PgOut.Field> fields = localFields(local, formats);
        if (describe && !fields.isEmpty()) {
            write(PgOut.rowDescription(channel.alloc(), fields));
        }
        if (!rows.isEmpty()) {
            ByteBuf out = channel.alloc().buffer();
            for (Object[] row : rows) {
                byte[][] values = new byte[row.length][];
                for (int i = 0; i < row.length; i++) {
                    values[i] = fields.get(i).type().encode(row[i], fields.get(i).binary());
                }
                PgOut.dataRow(out, values);
            }
            write(out);
        }
        write(PgOut.commandComplete(channel.alloc(), tag));
    }

    // ------------------------------------------------------------------ SQL cursors

    private void declare(LocalStatement.Declare d) {
        if (d.scroll()) {
            throw ProxyError.of(ErrorCode.SCROLL_CURSOR_NOT_SUPPORTED, "SCROLL cursors are not"
                    + " supported by the proxy (cursors fetch forward only)");
        }
        if (!d.hold() && txStatus == 'I') {
            throw ProxyError.of(ErrorCode.CURSOR_OUTSIDE_TRANSACTION, "DECLARE CURSOR can only be used in transaction blocks");
        }
        if (cursors.containsKey(d.name())) {
            throw ProxyError.of(ErrorCode.DUPLICATE_CURSOR, "cursor \"" + d.name() + "\" already exists");
        }
        checkHandles("cursors", cursors.size());
        if (!d.query().strip().toLowerCase(Locale.ROOT).matches("(?s)(select|with|values|table|\\().*")) {
            throw ProxyError.of(ErrorCode.CURSOR_NOT_A_QUERY, "cannot open a cursor on a statement that is not a query");
        }
        Meta.StatementHandle h = connection.createStatement();
        Meta.MetaResultSet rs;
        try {
            rs = call(() -> connection.execute(h, d.query(), -1, FRAME_ROWS, NO_CALLBACK))
                    .resultSets.get(0);
        } catch (ProxyError e) {
            closeHandle(h);
            throw e;
        }
        if (rs.signature == null || rs.updateCount >= 0 || rs.firstFrame == null) {
            closeHandle(h);
            throw ProxyError.of(ErrorCode.CURSOR_NOT_A_QUERY, "cannot open a cursor on a statement that is not a query");
        }
        short[] formats = d.binary() ? new short[] {1} : new short[0];
        cursors.put(d.name(), new SqlCursor(h, new ResultStream(this, h, rs.signature.columns, formats, rs.firstFrame),
                d.hold()));
        write(PgOut.commandComplete(channel.alloc(), "DECLARE CURSOR"));
    }

    private SqlCursor cursor(String name) {
        SqlCursor c = cursors.get(name);
        if (c == null) {
            throw ProxyError.of(ErrorCode.UNKNOWN_CURSOR, "cursor \"" + name + "\" does not exist");
        }
        return c;
    }

    private void fetch(LocalStatement.Fetch f, boolean describe, short[] formats) {
        SqlCursor c = cursor(f.name());
        if (describe) {
            write(PgOut.rowDescription(channel.alloc(), fields(c.result().columns, cursorFormats(c, formats))));
        }
        long n;
        try {
            n = f.count() == 0 ? 0 : c.result().sendMore(f.count() < 0 ? 0 : f.count());
        } catch (ProxyError e) {
            cursors.remove(f.name());
            closeHandle(c.handle());
            throw e;
        }
        write(PgOut.commandComplete(channel.alloc(), "FETCH " + n));
    }

    /** A BINARY cursor sends binary whatever the portal asked; otherwise the portal's result formats apply. */
    private static short[] cursorFormats(SqlCursor c, short[] formats) {
        return c.result().binary.length > 0 && c.result().binary[0] ? new short[] {1} : formats;
    }

    /** Closes one cursor, or all of them when {@code name} is null. */
    private void closeCursors(String name) {
        if (name == null) {
            cursors.values().forEach(c -> closeHandle(c.handle()));
            cursors.clear();
            return;
        }
        closeHandle(cursor(name).handle());
        cursors.remove(name);
    }

    // ------------------------------------------------------------------ shared pieces

    /** Each named statement, portal and cursor may hold a backend statement: a session gets a bounded number. */
    private static void checkHandles(String what, int open) {
        if (open >= MAX_HANDLES) {
            throw ProxyError.of(ErrorCode.TOO_MANY_HANDLES, "TOO_MANY_" + what.toUpperCase(Locale.ROOT).replace(' ', '_')
                    + ": a connection may keep at most " + MAX_HANDLES + " open " + what + "; close some first");
        }
    }

    private void refuseInFailedTransaction() {
        if (txStatus == 'E') {
            throw ProxyError.of(ErrorCode.TRANSACTION_ABORTED, "current transaction is aborted, commands ignored until end of"
                    + " transaction block");
        }
    }

    private void completeUpdate(String sql, long count) {
        if (txStatus == 'T') {
            wroteInBlock = true;
        }
        write(PgOut.commandComplete(channel.alloc(), CommandTags.of(sql, count)));
    }

    private static List<PgOut.Field> fields(List<ColumnMetaData> columns, short[] formats) {
        if (formats.length > 1 && formats.length != columns.size()) {
            throw new PgIn.ProtocolViolation("bind message has " + formats.length + " result formats for "
                    + columns.size() + " columns");
        }
        List<PgOut.Field> out = new ArrayList<>(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            ColumnMetaData c = columns.get(i);
            PgType type = PgType.ofJdbc(c.type.id);
            out.add(new PgOut.Field(c.label != null ? c.label : c.columnName, type, PgType.typmod(type, c),
                    format(formats, i) == 1));
        }
        return out;
    }

    private void ensurePrepared(Prepared p) {
        if (p.handle == null) {
            int[] declared = p.paramOids;
            prepare(p);
            p.paramOids = declared.length == p.paramOids.length ? declared : p.paramOids;
        }
    }

    @Override
    public void checkCancelled() {
        if (cancelRequested) {
            cancelRequested = false;
            throw ProxyError.cancelledByClient(tenant);
        }
        if (!channel.isActive()) {
            throw ProxyError.of(ErrorCode.CLIENT_GONE, "the client closed the connection");
        }
    }

    /** Closes a portal's open result, which means closing its backend statement: the next execution prepares again. */
    private void closePortal(Portal portal) {
        if (portal == null) {
            return;
        }
        Prepared p = portal.prepared;
        if (portal.result != null && !portal.result.done()) {
            Meta.StatementHandle h = portal.result.handle;
            if (p.handle == h) {
                p.handle = null;
            }
            closeHandle(h);
        }
        portal.finished = true;
        if (p.active == portal) {
            p.active = null;
        }
    }

    private void closeAllPortals() {
        portals.values().forEach(this::closePortal);
        portals.clear();
    }

    private void closeStatement(Prepared p) {
        if (p == null) {
            return;
        }
        portals.values().removeIf(portal -> {
            if (portal.prepared == p) {
                closePortal(portal);
                return true;
            }
            return false;
        });
        Meta.StatementHandle h = p.handle;
        p.handle = null;
        closeHandle(h);
    }

    private void closeHandle(Meta.StatementHandle h) {
        if (h == null) {
            return;
        }
        try {
            connection.closeStatement(h);
        } catch (ProxyError e) {
            LOG.debug("closing a statement failed: {}", e.getMessage());
        }
    }

    private void closeSession() {
        if (closed) {
            return;
        }
        closed = true;
        server.forget(this);
        GovernedConnection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (ProxyError e) {
                LOG.debug("closing the connection of tenant {} failed: {}", tenant, e.getMessage());
            }
        }
    }

    private interface MetaCall<T> {
        T run() throws NoSuchStatementException, MissingResultsException;
    }

    /** Calls the governed connection; Avatica's checked "no such" failures become client errors. */
    private static <T> T call(MetaCall<T> call) {
        try {
            return call.run();
        } catch (NoSuchStatementException e) {
            throw ProxyError.of(ErrorCode.STATEMENT_GONE, "the statement no longer exists in the proxy");
        } catch (MissingResultsException e) {
            throw ProxyError.of(ErrorCode.RESULT_GONE, "the result no longer exists in the proxy");
        }
    }

    private void readyForQuery() {
        write(PgOut.readyForQuery(channel.alloc(), txStatus));
        channel.flush();
    }

    private void error(String sqlState, String message) {
        if (txStatus == 'T') {
            txStatus = 'E';
        }
        write(PgOut.notice(channel.alloc(), 'E', "ERROR", sqlState, message));
    }

    private void notice(String sqlState, String message) {
        write(PgOut.notice(channel.alloc(), 'N', "WARNING", sqlState, message));
    }

    /** A FATAL error ends the connection. */
    private void fatal(String sqlState, String message) {
        write(PgOut.notice(channel.alloc(), 'E', "FATAL", sqlState, message));
        channel.flush();
        lastWrite.addListener(f -> channel.close());
        closeSession();
    }

    @Override
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    public Meta.Frame fetch(Meta.StatementHandle handle, long offset, int rows) {
        return call(() -> connection.fetch(handle, offset, rows));
    }

    @Override
    public void write(ByteBuf buf) {
        lastWrite = channel.write(buf);
    }

    /**
     * Flushes, and while the client does not keep up waits for the socket to drain: a result streams at the pace the
     * client reads it instead of piling up in memory. A client that stops reading is disconnected after the idle
     * timeout.
     */
    @Override
    public void flushAndWait() {
        channel.flush();
        if (!channel.isWritable() && lastWrite != null
                && !lastWrite.awaitUninterruptibly(server.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
            channel.close();
            throw ProxyError.of(ErrorCode.CLIENT_GONE, "the client stopped reading results");
        }
    }
}
