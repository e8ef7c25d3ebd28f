package com.akkio.dbproxy.server.frontend.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

/** The decoder reads each body into its typed message, and a body that does not hold its fields into Malformed. */
class PgDecoderTest {
    private static byte[] cat(byte[]... parts) {
        ByteBuffer b = ByteBuffer.allocate(java.util.Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    private static byte[] shorts(int... v) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length);
        for (int x : v) {
            b.putShort((short) x);
        }
        return b.array();
    }

    private static byte[] ints(int... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length);
        for (int x : v) {
            b.putInt(x);
        }
        return b.array();
    }

    private static PgMessage typed(char type, byte[] body) {
        return PgDecoder.typedMessage(type, body);
    }

    @Test
    void typedMessagesCarryTheirFields() {
        assertThat(typed('Q', PgRawClient.cstrings("SELECT 1"))).isEqualTo(new PgMessage.Query("SELECT 1"));
        PgMessage.Parse parse = (PgMessage.Parse) typed('P', cat(PgRawClient.cstrings("s", "SELECT $1"),
                shorts(1), ints(23)));
        assertThat(parse.name()).isEqualTo("s");
        assertThat(parse.sql()).isEqualTo("SELECT $1");
        assertThat(parse.parameterOids()).containsExactly(23);
        PgMessage.Bind bind = (PgMessage.Bind) typed('B', cat(PgRawClient.cstrings("p", "s"), shorts(1, 1),
                shorts(2), ints(2), new byte[] {0, 7}, ints(-1), shorts(1, 0)));
        assertThat(bind.portal()).isEqualTo("p");
        assertThat(bind.statement()).isEqualTo("s");
        assertThat(bind.parameterFormats()).containsExactly((short) 1);
        assertThat(bind.values()[0]).containsExactly(0, 7);
        assertThat(bind.values()[1]).isNull();
        assertThat(bind.resultFormats()).containsExactly((short) 0);
        assertThat(typed('D', cat(new byte[] {'P'}, PgRawClient.cstrings("p"))))
                .isEqualTo(new PgMessage.Describe(PgMessage.Target.PORTAL, "p"));
        assertThat(typed('C', cat(new byte[] {'S'}, PgRawClient.cstrings(""))))
                .isEqualTo(new PgMessage.Close(PgMessage.Target.STATEMENT, ""));
        assertThat(typed('E', cat(PgRawClient.cstrings(""), ints(10)))).isEqualTo(new PgMessage.Execute("", 10));
        assertThat(typed('S', new byte[0])).isEqualTo(new PgMessage.Sync());
        assertThat(typed('H', new byte[0])).isEqualTo(new PgMessage.Flush());
        assertThat(typed('X', new byte[0])).isEqualTo(new PgMessage.Terminate());
        assertThat(typed('d', new byte[] {1})).isInstanceOfSatisfying(PgMessage.Copy.class, c -> {
            assertThat(c.type()).isEqualTo('d');
            assertThat(c.data()).containsExactly(1);
        });
        assertThat(((PgMessage.Copy) typed('f', new byte[] {'n', 'o', 0})).failure()).isEqualTo("no");
        assertThat(typed('F', new byte[] {1})).isEqualTo(new PgMessage.FunctionCall());
        assertThat(typed('y', new byte[0])).isEqualTo(new PgMessage.Unknown('y'));
        assertThat(((PgMessage.Password) typed('p', new byte[] {'x', 0})).body()).containsExactly('x', 0);
    }

    @Test
    void aBodyShortOfItsFieldsIsMalformedWithTheReasonTheClientIsTold() {
        assertThat(typed('Q', new byte[] {'a'})).isEqualTo(new PgMessage.Malformed(false,
                "unterminated string in message"));
        assertThat(typed('B', new byte[] {0, 0, 0, 5})).isEqualTo(new PgMessage.Malformed(false,
                "message shorter than its contents"));
        assertThat(typed('B', cat(PgRawClient.cstrings("", ""), shorts(1, 2)))).isEqualTo(
                new PgMessage.Malformed(false, "format code 2"));
        assertThat(typed('D', cat(new byte[] {'x'}, PgRawClient.cstrings("n")))).isEqualTo(
                new PgMessage.Malformed(false, "describe of 'x'"));
        assertThat(typed('C', new byte[] {'x', 'n'})).as("the name is read before the kind is judged").isEqualTo(
                new PgMessage.Malformed(false, "unterminated string in message"));
    }

    @Test
    void startupPacketsAreReadByTheirCode() {
        PgMessage.Startup s = (PgMessage.Startup) PgDecoder.startupPacket(PgDecoder.PROTOCOL_3 + 1,
                PgRawClient.cstrings("user", "acme", "_pq_.x", "1", ""));
        assertThat(s.major()).isEqualTo(3);
        assertThat(s.minor()).isEqualTo(1);
        assertThat(s.parameters()).isEqualTo(Map.of("user", "acme"));
        assertThat(s.unsupportedOptions()).isEqualTo(List.of("_pq_.x"));
        assertThat(PgDecoder.startupPacket(2 << 16, new byte[] {1})).as("another protocol's body is not read")
                .isEqualTo(new PgMessage.Startup(2 << 16, Map.of(), List.of()));
        assertThat(PgDecoder.startupPacket(PgDecoder.PROTOCOL_3, "user\0acme".getBytes())).isEqualTo(
                new PgMessage.Malformed(true, "unterminated string in message"));
        assertThat(PgDecoder.startupPacket(PgDecoder.CANCEL_REQUEST, ints(7, 9))).isEqualTo(
                new PgMessage.CancelRequest(7, 9));
        assertThat(PgDecoder.startupPacket(PgDecoder.SSL_REQUEST, new byte[0])).isEqualTo(
                new PgMessage.SslRequest());
    }

    @Test
    void framingSwitchesToTypedMessagesAndStopsAtABadLength() {
        PgDecoder decoder = new PgDecoder(100);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        channel.writeInbound(Unpooled.wrappedBuffer(cat(ints(8, PgDecoder.SSL_REQUEST))));
        assertThat((Object) channel.readInbound()).isEqualTo(new PgMessage.SslRequest());
        decoder.typed();
        channel.writeInbound(Unpooled.wrappedBuffer(cat(new byte[] {'S'}, ints(4), new byte[] {'Q'}, ints(1000))));
        assertThat((Object) channel.readInbound()).isEqualTo(new PgMessage.Sync());
        PgMessage.Unframeable tooLarge = channel.readInbound();
        assertThat(tooLarge.code().sqlState()).isEqualTo("54000");
        assertThat(tooLarge.code().message(tooLarge.detail()))
                .isEqualTo("MESSAGE_TOO_LARGE: a message of 996 bytes exceeds 100 (rule: server.max_request_bytes)");
        channel.writeInbound(Unpooled.wrappedBuffer(cat(new byte[] {'S'}, ints(4))));
        assertThat((Object) channel.readInbound()).as("nothing is read after it").isNull();
    }

    @Test
    void aCancelRequestTooShortForItsKeyFailsTheChannel() {
        EmbeddedChannel channel = new EmbeddedChannel(new PgDecoder(100));
        assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(ints(12, PgDecoder.CANCEL_REQUEST, 5))))
                .isInstanceOf(DecoderException.class);
    }
}
