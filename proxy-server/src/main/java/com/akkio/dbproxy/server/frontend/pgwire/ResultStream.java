package com.akkio.dbproxy.server.frontend.pgwire;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;

/**
 * An open backend result being sent to the client: rows come from the backend a frame at a time (Avatica
 * {@code fetch}, through the governed path) and leave as DataRows in whatever amounts the client asks for (all of
 * them, a portal's row limit, a FETCH count).
 */
final class ResultStream {
    /** Where the rows go, and how the session fetches more. */
    interface Session {
        ByteBufAllocator alloc();

        void write(ByteBuf buf);

        /** Flushes and waits while the client is not keeping up. */
        void flushAndWait();

        /** Throws the session's cancel (or a gone client) as an error, between frames. */
        void checkCancelled();

        Meta.Frame fetch(Meta.StatementHandle handle, long offset, int rows);
    }

    private final Session session;
    final Meta.StatementHandle handle;
    final List<ColumnMetaData> columns;
    final PgType[] types;
    final boolean[] binary;
    /** Rows received from the backend: the offset of the next Avatica fetch. */
    private long offset;
    /** Rows sent to the client. */
    long sent;
    private List<Object> buffered = List.of();
    private int next;
    private boolean backendDone;

    ResultStream(Session session, Meta.StatementHandle handle, List<ColumnMetaData> columns, short[] formats,
                 Meta.Frame first) {
        this.session = session;
        this.handle = handle;
        this.columns = columns;
        this.types = new PgType[columns.size()];
        this.binary = new boolean[columns.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = PgType.ofJdbc(columns.get(i).type.id);
            binary[i] = PgConnection.format(formats, i) == 1;
        }
        take(first);
    }

    private void take(Meta.Frame frame) {
        List<Object> rows = new ArrayList<>();
        frame.rows.forEach(rows::add);
        buffered = rows;
        next = 0;
        offset += rows.size();
        backendDone = frame.done;
    }

    boolean done() {
        return backendDone && next >= buffered.size();
    }

    /** Sends up to {@code limit} more rows (all when 0), checking for a cancel between frames; returns how many. */
    long sendMore(long limit) {
        long n = 0;
        while (limit <= 0 || n < limit) {
            if (next >= buffered.size()) {
                if (backendDone) {
                    break;
                }
                session.checkCancelled();
                int ask = (int) (limit <= 0 ? PgConnection.FRAME_ROWS : Math.min(PgConnection.FRAME_ROWS, limit - n));
                take(session.fetch(handle, offset, ask));
                continue;
            }
            int end = limit <= 0 ? buffered.size() : (int) Math.min(buffered.size(), next + (limit - n));
            write(buffered.subList(next, end));
            n += end - next;
            next = end;
        }
        sent += n;
        return n;
    }

    private void write(List<Object> rows) {
        ByteBuf out = session.alloc().buffer(16 * 1024);
        for (Object row : rows) {
            byte[][] values = new byte[types.length][];
            for (int i = 0; i < types.length; i++) {
                Object v = row instanceof Object[] a ? a[i] : ((List<?>) row).get(i);
                try {
                    values[i] = v == null ? null : types[i].encode(v, binary[i]);
                } catch (RuntimeException e) {
                    out.release();
                    throw ProxyError.of(ErrorCode.DATA_EXCEPTION, "column " + (i + 1) + " cannot be sent as "
                            + types[i].name().toLowerCase(Locale.ROOT) + " (" + v.getClass().getSimpleName() + ")");
                }
            }
            PgOut.dataRow(out, values);
            if (out.readableBytes() > 64 * 1024) {
                session.write(out);
                out = session.alloc().buffer(16 * 1024);
            }
        }
        session.write(out);
        session.flushAndWait();
    }
}
