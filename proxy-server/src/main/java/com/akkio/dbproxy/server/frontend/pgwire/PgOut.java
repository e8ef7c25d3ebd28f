package com.akkio.dbproxy.server.frontend.pgwire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.apache.calcite.avatica.ColumnMetaData;

/** Backend messages of protocol 3.0, each written as one {@link ByteBuf}: type byte, length, body. */
final class PgOut {
    private final ByteBuf buf;
    private final int start;

    private PgOut(ByteBufAllocator alloc, char type, int sizeHint) {
        buf = alloc.buffer(5 + sizeHint);
        buf.writeByte(type);
        start = buf.writerIndex();
        buf.writeInt(0);
    }

    static PgOut message(ByteBufAllocator alloc, char type) {
        return new PgOut(alloc, type, 32);
    }

    PgOut int8(int v) {
        buf.writeByte(v);
        return this;
    }

    PgOut int16(int v) {
        buf.writeShort(v);
        return this;
    }

    PgOut int32(int v) {
        buf.writeInt(v);
        return this;
    }

    PgOut cstring(String s) {
        buf.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        buf.writeByte(0);
        return this;
    }

    PgOut bytes(byte[] b) {
        buf.writeBytes(b);
        return this;
    }

    ByteBuf done() {
        buf.setInt(start, buf.writerIndex() - start);
        return buf;
    }

    // ------------------------------------------------------------------ the messages

    static ByteBuf authentication(ByteBufAllocator a, int code, byte[] data) {
        PgOut m = message(a, 'R').int32(code);
        if (data != null) {
            m.bytes(data);
        }
        return m.done();
    }

    static ByteBuf parameterStatus(ByteBufAllocator a, String name, String value) {
        return message(a, 'S').cstring(name).cstring(value).done();
    }

    static ByteBuf backendKeyData(ByteBufAllocator a, int pid, int key) {
        return message(a, 'K').int32(pid).int32(key).done();
    }

    static ByteBuf readyForQuery(ByteBufAllocator a, char status) {
        return message(a, 'Z').int8(status).done();
    }

    static ByteBuf commandComplete(ByteBufAllocator a, String tag) {
        return message(a, 'C').cstring(tag).done();
    }

    static ByteBuf empty(ByteBufAllocator a, char type) {
        return message(a, type).done();
    }

    /** A column of RowDescription. */
    record Field(String name, PgType type, int typmod, boolean binary) {
    }

    /** Whether value {@code i} is binary under {@code formats}: none given means text, a single one applies to all. */
    static boolean binary(short[] formats, int i) {
        return (formats.length == 0 ? 0 : formats.length == 1 ? formats[0] : formats[i]) == 1;
    }

    /** The fields describing backend columns, in the result formats the client asked for. */
    static List<Field> fields(List<ColumnMetaData> columns, short[] formats) {
        if (formats.length > 1 && formats.length != columns.size()) {
            throw new PgIn.ProtocolViolation("bind message has " + formats.length + " result formats for "
                    + columns.size() + " columns");
        }
        List<Field> out = new ArrayList<>(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            ColumnMetaData c = columns.get(i);
            PgType type = PgType.of(c);
            out.add(new Field(c.label != null ? c.label : c.columnName, type, PgType.typmod(type, c),
                    binary(formats, i)));
        }
        return out;
    }

    static ByteBuf rowDescription(ByteBufAllocator a, List<Field> fields) {
        PgOut m = message(a, 'T').int16(fields.size());
        for (Field f : fields) {
            m.cstring(f.name()).int32(0).int16(0).int32(f.type().oid).int16(f.type().length).int32(f.typmod())
                    .int16(f.binary() ? 1 : 0);
        }
        return m.done();
    }

    static ByteBuf parameterDescription(ByteBufAllocator a, int[] oids) {
        PgOut m = message(a, 't').int16(oids.length);
        for (int oid : oids) {
            m.int32(oid);
        }
        return m.done();
    }

    /** Writes one DataRow into {@code out} (rows are batched into one buffer per frame). */
    static void dataRow(ByteBuf out, byte[][] values) {
        out.writeByte('D');
        int start = out.writerIndex();
        out.writeInt(0);
        out.writeShort(values.length);
        for (byte[] v : values) {
            if (v == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(v.length);
                out.writeBytes(v);
            }
        }
        out.setInt(start, out.writerIndex() - start);
    }

    /** ErrorResponse ('E') or NoticeResponse ('N'). */
    static ByteBuf notice(ByteBufAllocator a, char type, String severity, String sqlState, String message) {
        return message(a, type).int8('S').cstring(severity).int8('V').cstring(severity).int8('C').cstring(sqlState)
                .int8('M').cstring(message).int8(0).done();
    }
}
