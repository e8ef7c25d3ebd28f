package com.akkio.dbproxy.server.backend.databricks.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * The cloud storage a warehouse's {@code EXTERNAL_LINKS} point to, on its own loopback address and TLS certificate
 * (port 443, as S3, ADLS and GCS are): objects are fetched with presigned, expiring URLs in the shape of S3's
 * ({@code X-Amz-Date}, {@code X-Amz-Expires}, {@code X-Amz-Signature}) and no other credential. As S3 does, it
 * refuses a request that carries an {@code Authorization} header besides the signature (so a client that sends the
 * workspace token to storage fails here as it would there), an expired URL (403 "Request has expired") and a
 * tampered one (403 SignatureDoesNotMatch). Every request is recorded.
 */
public final class StorageHost implements AutoCloseable {
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final HttpsServer http;
    private final String host;
    private final byte[] key = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    private final List<DatabricksEmulator.Recorded> requests = new CopyOnWriteArrayList<>();

    /** @param keystore PKCS12 keystore with a certificate for {@code host}, a name of the storage's own */
    public StorageHost(Path keystore, String password, String host) throws Exception {
        this.host = host;
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, password.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        http = HttpsServer.create(new InetSocketAddress(host, 443), 64);
        http.setHttpsConfigurator(new HttpsConfigurator(tls));
        http.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "dbx-storage");
            t.setDaemon(true);
            return t;
        }));
        http.createContext("/", this::handle);
        http.start();
    }

    public String host() {
        return host;
    }

    public List<DatabricksEmulator.Recorded> requests() {
        return List.copyOf(requests);
    }

    /** Stores one object per chunk of statement {@code statementId}; their keys, in order. */
    List<String> store(String statementId, List<byte[]> chunks) {
        List<String> keys = new java.util.ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            String objectKey = "/results/" + statementId + "/" + UUID.randomUUID() + "-" + i;
            objects.put(objectKey, chunks.get(i));
            keys.add(objectKey);
        }
        return keys;
    }

    /** A URL that reads {@code objectKey} for {@code lifetime} from now. */
    public String presign(String objectKey, Duration lifetime) {
        String date = AMZ_DATE.format(Instant.now());
        long expires = lifetime.toSeconds();
        return "https://" + host + objectKey + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=" + date
                + "&X-Amz-Expires=" + expires + "&X-Amz-SignedHeaders=host&X-Amz-Signature="
                + sign(objectKey, date, expires);
    }

    private String sign(String objectKey, String date, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((objectKey + "\n" + date + "\n" + expires)
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        Map<String, String> headers = new HashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
        requests.add(new DatabricksEmulator.Recorded(ex.getRequestMethod(), path, headers, ""));
        Map<String, String> query = query(ex.getRequestURI().getRawQuery());
        byte[] object = objects.get(path);
        if (headers.containsKey("authorization")) {
            error(ex, 400, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query"
                    + " parameter, Signature query string parameter or the Authorization header should be specified");
        } else if (!ex.getRequestMethod().equals("GET") || object == null) {
            error(ex, 404, "NoSuchKey", "The specified key does not exist.");
        } else if (!query.containsKey("X-Amz-Signature") || !sign(path, query.get("X-Amz-Date"),
                Long.parseLong(query.getOrDefault("X-Amz-Expires", "0"))).equals(query.get("X-Amz-Signature"))) {
            error(ex, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the"
                    + " signature you provided.");
        } else if (Instant.from(AMZ_DATE.parse(query.get("X-Amz-Date")))
                .plusSeconds(Long.parseLong(query.get("X-Amz-Expires"))).isBefore(Instant.now())) {
            error(ex, 403, "AccessDenied", "Request has expired");
        } else {
            ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, object.length);
            ex.getResponseBody().write(object);
            ex.close();
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    /** An S3-style XML error. */
    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
                + "</Message></Error>").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/xml");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
