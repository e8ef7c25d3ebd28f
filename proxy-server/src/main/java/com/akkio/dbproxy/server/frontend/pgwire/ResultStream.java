package com.akkio.dbproxy.server.frontend.pgwire;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import io.netty.buffer.ByteBuf;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;

/**
 * An open backend result being sent to the client: rows come from the backend a frame at a time (Avatica
 * {@code fetch}, through the governed path) and leave as DataRows in whatever amounts the client asks for (all of
 * them, a portal's row limit, a FETCH count).
 */
final class ResultStream {
    private final ClientChannel client;
    private final GovernedCalls calls;
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

    ResultStream(ClientChannel client, GovernedCalls calls, Meta.StatementHandle handle, List<ColumnMetaData> columns,
                 short[] formats, Meta.Frame first) {
        this.client = client;
        this.calls = calls;
        this.handle = handle;
        this.columns = columns;
        this.types = new PgType[columns.size()];
        this.binary = new boolean[columns.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = PgType.of(columns.get(i));
            binary[i] = PgOut.binary(formats, i);
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
                calls.checkCancelled();
                client.checkOpen();
                int ask = (int) (limit <= 0 ? GovernedCalls.FRAME_ROWS : Math.min(GovernedCalls.FRAME_ROWS, limit - n));
                take(calls.fetch(handle, offset, ask));
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
        ByteBuf out = client.alloc().buffer(16 * 1024);
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
                client.write(out);
                out = client.alloc().buffer(16 * 1024);
            }
        }
        client.write(out);
        client.flushAndWait();
    }
}
