package com.akkio.dbproxy.server.frontend.pgwire;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A bare protocol-3 client for tests that must send what no JDBC driver sends: malformed and unexpected messages, or
 * what libpq's {@code PQexecParams} sends (a Parse without parameter types, a number used twice).
 */
public final class PgRawClient implements AutoCloseable {
    final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;
    int pid;
    int key;

    public record Reply(char type, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The SQLSTATE field of an ErrorResponse. */
        public String sqlState() {
            String s = text();
            int at = s.indexOf("\0C") + 2;
            return s.substring(at, s.indexOf('\0', at));
        }
    }

    public PgRawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(socket.getOutputStream());
    }

    void startup(String user) throws IOException {
        byte[] params = ("user\0" + user + "\0database\0main\0\0").getBytes(StandardCharsets.UTF_8);
        out.writeInt(8 + params.length);
        out.writeInt(196608);
        out.write(params);
        out.flush();
    }

    public void send(char type, byte[] body) throws IOException {
        out.writeByte(type);
        out.writeInt(body.length + 4);
        out.write(body);
        out.flush();
    }

    public Reply read() throws IOException {
        char type = (char) in.readUnsignedByte();
        byte[] body = new byte[in.readInt() - 4];
        in.readFully(body);
        return new Reply(type, body);
    }

    /** Reads until a message of {@code type}; returns it (or the ErrorResponse that came first, if any). */
    public Reply until(char type) throws IOException {
        while (true) {
            Reply r = read();
            if (r.type() == type || r.type() == 'E') {
                return r;
            }
            if (r.type() == 'K') {
                pid = java.nio.ByteBuffer.wrap(r.body()).getInt();
                key = java.nio.ByteBuffer.wrap(r.body()).getInt(4);
            }
        }
    }

    /** SCRAM-SHA-256 from the client's side, up to ReadyForQuery. */
    public void login(String user, String password) throws Exception {
        startup(user);
        Reply sasl = read();
        if (sasl.type() != 'R' || java.nio.ByteBuffer.wrap(sasl.body()).getInt() != 10) {
            throw new IllegalStateException("expected AuthenticationSASL, got " + sasl.type());
        }
        String clientFirstBare = "n=,r=clientnonce123";
        byte[] first = ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
        byte[] mech = "SCRAM-SHA-256\0".getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(mech.length + 4 + first.length);
        b.put(mech).putInt(first.length).put(first);
        send('p', b.array());
        Reply cont = read();
        String serverFirst = new String(cont.body(), 4, cont.body().length - 4, StandardCharsets.UTF_8);
        String nonce = serverFirst.split(",")[0].substring(2);
        byte[] salt = Base64.getDecoder().decode(serverFirst.split(",")[1].substring(2));
        int iterations = Integer.parseInt(serverFirst.split(",")[2].substring(2));
        byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
        byte[] clientKey = hmac(salted, "Client Key".getBytes(StandardCharsets.UTF_8));
        byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
        String withoutProof = "c=biws,r=" + nonce;
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] signature = hmac(storedKey, authMessage);
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (clientKey[i] ^ signature[i]);
        }
        send('p', (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8));
        Reply ready = until('Z');
        if (ready.type() != 'Z') {
            throw new IllegalStateException("login failed: " + ready.text());
        }
    }

    private static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    public static byte[] cstrings(String... parts) {
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            sb.append(p).append('\0');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** True once the server has closed the connection. */
    boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
