package com.akkio.dbproxy.server.warmup;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The smallest PostgreSQL client the warm-up needs (the server ships no PostgreSQL driver): a login with
 * SCRAM-SHA-256, the simple query protocol and the extended one (Parse, Bind, Describe, Execute, Sync) with text
 * parameters. It reads every answer to its end and counts data rows; an ErrorResponse (a refused statement) is an
 * answer like any other, since the warm-up sends refused statements on purpose.
 */
final class PgLoopback implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    private PgLoopback(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
    }

    /** Connects to 127.0.0.1:{@code port} as {@code user} and logs in with SCRAM-SHA-256. */
    static PgLoopback connect(int port, String user, String password, int timeoutMillis) throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(timeoutMillis);
        socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
        PgLoopback pg = new PgLoopback(socket);
        try {
            pg.login(user, password);
            return pg;
        } catch (IOException | RuntimeException e) {
            pg.close();
            throw e;
        }
    }

    private void login(String user, String password) throws IOException {
        ByteArrayOutputStream startup = new ByteArrayOutputStream();
        DataOutputStream s = new DataOutputStream(startup);
        s.writeInt(196_608); // protocol 3.0
        cstring(s, "user");
        cstring(s, user);
        cstring(s, "database");
        cstring(s, "main");
        s.writeByte(0);
        out.writeInt(startup.size() + 4);
        startup.writeTo(out);
        out.flush();
        Scram scram = new Scram(password);
        while (true) {
            int type = in.readUnsignedByte();
            byte[] body = new byte[in.readInt() - 4];
            in.readFully(body);
            if (type == 'E') {
                throw new IOException("the warm-up's PostgreSQL login was refused");
            }
            if (type == 'Z') {
                return;
            }
            if (type != 'R') {
                continue; // ParameterStatus, BackendKeyData
            }
            int code = ((body[0] & 0xff) << 24) | ((body[1] & 0xff) << 16) | ((body[2] & 0xff) << 8) | (body[3] & 0xff);
            String data = new String(body, 4, body.length - 4, StandardCharsets.UTF_8);
            switch (code) {
                case 10 -> {
                    byte[] first = scram.clientFirst().getBytes(StandardCharsets.UTF_8);
                    message('p', m -> {
                        cstring(m, "SCRAM-SHA-256");
                        m.writeInt(first.length);
                        m.write(first);
                    });
                }
                case 11 -> {
                    byte[] last = scram.clientFinal(data).getBytes(StandardCharsets.UTF_8);
                    message('p', m -> m.write(last));
                }
                case 0, 12 -> {
                    // authenticated; the server's signature is not checked: the server is this process
                }
                default -> throw new IOException("the warm-up's PostgreSQL login met authentication request " + code);
            }
        }
    }

    /** A simple query; returns the data rows it answered (0 for a refused one). */
    int simple(String sql) throws IOException {
        message('Q', m -> cstring(m, sql));
        out.flush();
        return readUntilReady();
    }

    /** The extended protocol with text parameters, as pgjdbc and psycopg send a prepared query. */
    int extended(String sql, List<String> parameters) throws IOException {
        message('P', m -> {
            cstring(m, "");
            cstring(m, sql);
            m.writeShort(0);
        });
        message('B', m -> {
            cstring(m, "");
            cstring(m, "");
            m.writeShort(0);
            m.writeShort(parameters.size());
            for (String p : parameters) {
                byte[] bytes = p.getBytes(StandardCharsets.UTF_8);
                m.writeInt(bytes.length);
                m.write(bytes);
            }
            m.writeShort(0);
        });
        message('D', m -> {
            m.writeByte('P');
            cstring(m, "");
        });
        message('E', m -> {
            cstring(m, "");
            m.writeInt(0);
        });
        message('S', m -> { });
        out.flush();
        return readUntilReady();
    }

    private int readUntilReady() throws IOException {
        int rows = 0;
        while (true) {
            int type = in.readUnsignedByte();
            int length = in.readInt() - 4;
            in.skipNBytes(length);
            if (type == 'D') {
                rows++;
            } else if (type == 'Z') {
                return rows;
            }
        }
    }

    private interface Body {
        void write(DataOutputStream m) throws IOException;
    }

    private void message(char type, Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        body.write(new DataOutputStream(bytes));
        out.writeByte(type);
        out.writeInt(bytes.size() + 4);
        bytes.writeTo(out);
        if (type == 'p') {
            out.flush();
        }
    }

    private static void cstring(DataOutputStream m, String text) throws IOException {
        m.write(text.getBytes(StandardCharsets.UTF_8));
        m.writeByte(0);
    }

    @Override
    public void close() throws IOException {
        try {
            if (!socket.isClosed()) {
                message('X', m -> { });
                out.flush();
            }
        } catch (IOException e) {
            // the server may have closed first; the socket closes anyway
        } finally {
            socket.close();
        }
    }

    /** The client side of SCRAM-SHA-256 (RFC 5802) without channel binding, as PostgreSQL runs it. */
    private static final class Scram {
        private final String password;
        private final String clientFirstBare;

        Scram(String password) {
            this.password = password;
            byte[] nonce = new byte[18];
            new SecureRandom().nextBytes(nonce);
            this.clientFirstBare = "n=,r=" + Base64.getEncoder().encodeToString(nonce);
        }

        String clientFirst() {
            return "n,," + clientFirstBare;
        }

        String clientFinal(String serverFirst) throws IOException {
            String nonce = null;
            byte[] salt = null;
            int iterations = 0;
            for (String part : serverFirst.split(",")) {
                if (part.startsWith("r=")) {
                    nonce = part.substring(2);
                } else if (part.startsWith("s=")) {
                    salt = Base64.getDecoder().decode(part.substring(2));
                } else if (part.startsWith("i=")) {
                    iterations = Integer.parseInt(part.substring(2));
                }
            }
            if (nonce == null || salt == null || iterations <= 0) {
                throw new IOException("malformed SCRAM server-first-message in the warm-up's login");
            }
            String withoutProof = "c=biws,r=" + nonce;
            try {
                SecretKeyFactory pbkdf2 = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
                byte[] salted = pbkdf2.generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256))
                        .getEncoded();
                byte[] clientKey = hmac(salted, "Client Key");
                byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
                byte[] signature = hmac(storedKey, clientFirstBare + "," + serverFirst + "," + withoutProof);
                for (int i = 0; i < clientKey.length; i++) {
                    clientKey[i] ^= signature[i];
                }
                return withoutProof + ",p=" + Base64.getEncoder().encodeToString(clientKey);
            } catch (GeneralSecurityException e) {
                throw new IOException("SCRAM-SHA-256 is not available: " + e.getMessage(), e);
            }
        }

        private static byte[] hmac(byte[] key, String text) throws GeneralSecurityException {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
