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
 * (on a free port, which the links carry; the real clouds' are on 443, and databricks-jdbc fetches a link as it is):
 * objects are fetched with presigned, expiring URLs and no other credential, in
 * the shape of the workspace's cloud ({@link Cloud}): S3's query signature ({@code X-Amz-Date}, {@code X-Amz-Expires},
 * {@code X-Amz-Signature}), an Azure Blob service SAS ({@code sv}, {@code st}, {@code se}, {@code sr=b},
 * {@code sp=r}, {@code sig}) or a GCS V4 signed URL ({@code X-Goog-Date}, {@code X-Goog-Expires},
 * {@code X-Goog-Signature}). With customer keys, each object is stored under a key of its own that the link's
 * {@code http_headers} carry in the cloud's headers (S3's {@code x-amz-server-side-encryption-customer-*}, Azure's
 * {@code x-ms-encryption-*}, GCS's {@code x-goog-encryption-*}), as "headers … to pass a decryption key to the
 * external service" of the Statement Execution API; a request without them is refused with the cloud's error. As the
 * clouds do, it refuses an expired URL and a tampered one (each cloud's status, code and wording), and a request that
 * carries an {@code Authorization} header besides the signature (so a client that sends the workspace token to
 * storage fails here; S3's refusal is documented, Azure's and GCS's are this emulator's choice). Every request is
 * recorded, its query string as the record's body.
 */
public final class StorageHost implements AutoCloseable {
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final HttpsServer http;
    private final String host;
    private final byte[] key = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    /** The customer key each object was stored under, where it was. */
    private final Map<String, byte[]> keys = new ConcurrentHashMap<>();
    private volatile Cloud cloud = Cloud.AWS;
    private volatile boolean customerKeys;

    /** The cloud whose storage the links point to. */
    public enum Cloud { AWS, AZURE, GCP }
    private final List<DatabricksEmulator.Recorded> requests = new CopyOnWriteArrayList<>();

    /**
     * @param keystore PKCS12 keystore with a certificate for {@code host}, a name of the storage's own; it listens on
     *                 a free port of it, which its links carry (so that two test runs on one machine never collide)
     */
    public StorageHost(Path keystore, String password, String host) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, password.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        http = HttpsServer.create(new InetSocketAddress(host, 0), 64);
        this.host = host + ":" + http.getAddress().getPort();
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

    /**
     * Links from now on point to {@code cloud}'s storage; with {@code customerKeys}, objects stored from now on are
     * encrypted with a key of their own that only their links' headers carry.
     */
    public void cloud(Cloud cloud, boolean customerKeys) {
        this.cloud = cloud;
        this.customerKeys = customerKeys;
    }

    /** Stores one object per chunk of statement {@code statementId}; their keys, in order. */
    List<String> store(String statementId, List<byte[]> chunks) {
        List<String> stored = new java.util.ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            String objectKey = "/results/" + statementId + "/" + UUID.randomUUID() + "-" + i;
            objects.put(objectKey, chunks.get(i));
            if (customerKeys) {
                byte[] customerKey = new byte[32];
                new java.security.SecureRandom().nextBytes(customerKey);
                keys.put(objectKey, customerKey);
            }
            stored.add(objectKey);
        }
        return stored;
    }

    /** A URL that reads {@code objectKey} for {@code lifetime} from now, in the shape of the current cloud's. */
    public String presign(String objectKey, Duration lifetime) {
        Instant now = Instant.now();
        String date = AMZ_DATE.format(now);
        long expires = lifetime.toSeconds();
        return switch (cloud) {
            case AWS -> "https://" + host + objectKey + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=" + date
                    + "&X-Amz-Expires=" + expires + "&X-Amz-SignedHeaders=host&X-Amz-Signature="
                    + sign(objectKey, date, expires);
            case AZURE -> {
                String start = now.minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
                String end = now.plus(lifetime).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
                yield "https://" + host + objectKey + "?sv=2021-08-06&st=" + start + "&se=" + end + "&sr=b&sp=r&sig="
                        + java.net.URLEncoder.encode(azureSignature(objectKey, "r", start, end), StandardCharsets.UTF_8);
            }
            case GCP -> "https://" + host + objectKey + "?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential="
                    + "results-reader%40workspace.iam.gserviceaccount.com%2F" + date.substring(0, 8)
                    + "%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Date=" + date + "&X-Goog-Expires=" + expires
                    + "&X-Goog-SignedHeaders=host&X-Goog-Signature=" + sign(objectKey, date, expires);
        };
    }

    /**
     * The {@code http_headers} a link to {@code objectKey} carries: the object's customer key in the current cloud's
     * headers (key, its SHA-256, the algorithm), or none.
     */
    public Map<String, String> headers(String objectKey) {
        byte[] customerKey = keys.get(objectKey);
        if (customerKey == null) {
            return Map.of();
        }
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        String keyText = b64.encodeToString(customerKey);
        return switch (cloud) {
            case AWS -> Map.of("x-amz-server-side-encryption-customer-algorithm", "AES256",
                    "x-amz-server-side-encryption-customer-key", keyText,
                    "x-amz-server-side-encryption-customer-key-MD5", b64.encodeToString(digest("MD5", customerKey)));
            case AZURE -> Map.of("x-ms-encryption-algorithm", "AES256", "x-ms-encryption-key", keyText,
                    "x-ms-encryption-key-sha256", b64.encodeToString(digest("SHA-256", customerKey)));
            case GCP -> Map.of("x-goog-encryption-algorithm", "AES256", "x-goog-encryption-key", keyText,
                    "x-goog-encryption-key-sha256", b64.encodeToString(digest("SHA-256", customerKey)));
        };
    }

    private static byte[] digest(String algorithm, byte[] data) {
        try {
            return java.security.MessageDigest.getInstance(algorithm).digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private String sign(String objectKey, String date, long expires) {
        return HexFormat.of().formatHex(hmac(objectKey + "\n" + date + "\n" + expires));
    }

    private String azureSignature(String objectKey, String permissions, String start, String end) {
        return java.util.Base64.getEncoder().encodeToString(hmac(permissions + "\n" + start + "\n" + end + "\n"
                + objectKey));
    }

    private byte[] hmac(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        Map<String, String> headers = new HashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
        String rawQuery = ex.getRequestURI().getRawQuery();
        requests.add(new DatabricksEmulator.Recorded(ex.getRequestMethod(), path, headers,
                rawQuery == null ? "" : rawQuery));
        Map<String, String> query = query(rawQuery);
        byte[] object = ex.getRequestMethod().equals("GET") ? objects.get(path) : null;
        Cloud shape = query.containsKey("sig") ? Cloud.AZURE : query.containsKey("X-Goog-Signature") ? Cloud.GCP
                : Cloud.AWS;
        String refusal;
        try {
            refusal = refusal(shape, headers, query, path, object);
        } catch (RuntimeException malformed) { // a signature field that does not parse: no signature of ours
            refusal = shape == Cloud.AZURE ? "403|AuthenticationFailed|Server failed to authenticate the request."
                    : "403|SignatureDoesNotMatch|The request signature we calculated does not match the signature you"
                    + " provided.";
        }
        if (refusal != null) {
            String[] parts = refusal.split("\\|", 3);
            error(ex, shape, Integer.parseInt(parts[0]), parts[1], parts[2]);
        } else if (!customerKeyGiven(shape, headers, path)) {
            switch (shape) {
                case AWS -> error(ex, shape, 400, "InvalidRequest", "The object was stored using a form of Server"
                        + " Side Encryption. The correct parameters must be provided to retrieve the object.");
                case AZURE -> error(ex, shape, 409, "BlobUsesCustomerSpecifiedEncryption", "The blob is encrypted"
                        + " with customer specified encryption, but it was not provided in the request.");
                case GCP -> error(ex, shape, 400, "ResourceIsEncryptedWithCustomerEncryptionKey", "The resource is"
                        + " encrypted with a customer encryption key.");
            }
        } else {
            ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, object.length);
            ex.getResponseBody().write(object);
            ex.close();
        }
    }

    /** Why the request is refused, as {@code status|code|message} in the cloud's terms, or null. */
    private String refusal(Cloud shape, Map<String, String> headers, Map<String, String> query, String path,
                           byte[] object) {
        if (headers.containsKey("authorization")) {
            return switch (shape) {
                case AWS -> "400|InvalidArgument|Only one auth mechanism allowed; only the X-Amz-Algorithm query"
                        + " parameter, Signature query string parameter or the Authorization header should be specified";
                case AZURE -> "403|AuthenticationFailed|Server failed to authenticate the request: a shared access"
                        + " signature and an Authorization header were both given";
                case GCP -> "400|InvalidArgument|Only one authentication method may be given: the signed URL or the"
                        + " Authorization header";
            };
        }
        if (object == null) {
            return shape == Cloud.AZURE ? "404|BlobNotFound|The specified blob does not exist."
                    : "404|NoSuchKey|The specified key does not exist.";
        }
        return switch (shape) {
            case AWS -> !query.containsKey("X-Amz-Signature") || !sign(path, query.get("X-Amz-Date"),
                    Long.parseLong(query.getOrDefault("X-Amz-Expires", "0"))).equals(query.get("X-Amz-Signature"))
                    ? "403|SignatureDoesNotMatch|The request signature we calculated does not match the signature you"
                    + " provided."
                    : expired(query.get("X-Amz-Date"), query.get("X-Amz-Expires"))
                    ? "403|AccessDenied|Request has expired" : null;
            case AZURE -> !azureSignature(path, query.get("sp"), query.get("st"), query.get("se"))
                    .equals(query.get("sig"))
                    ? "403|AuthenticationFailed|Server failed to authenticate the request. Make sure the value of"
                    + " Authorization header is formed correctly including the signature."
                    : Instant.parse(query.get("se")).isBefore(Instant.now())
                    ? "403|AuthenticationFailed|Server failed to authenticate the request. Signed expiry time ["
                    + query.get("se") + "] has to be after current time [" + Instant.now() + "]" : null;
            case GCP -> !sign(path, query.get("X-Goog-Date"), Long.parseLong(query.getOrDefault("X-Goog-Expires",
                    "0"))).equals(query.get("X-Goog-Signature"))
                    ? "403|SignatureDoesNotMatch|The request signature we calculated does not match the signature you"
                    + " provided. Check your Google secret key and signing method."
                    : expired(query.get("X-Goog-Date"), query.get("X-Goog-Expires"))
                    ? "400|ExpiredToken|Invalid argument. The provided token has expired." : null;
        };
    }

    private static boolean expired(String date, String expires) {
        return Instant.from(AMZ_DATE.parse(date)).plusSeconds(Long.parseLong(expires)).isBefore(Instant.now());
    }

    /** Whether the request carries the object's customer key (if it has one) in the cloud's headers. */
    private boolean customerKeyGiven(Cloud shape, Map<String, String> headers, String path) {
        byte[] customerKey = keys.get(path);
        if (customerKey == null) {
            return true;
        }
        String header = switch (shape) {
            case AWS -> "x-amz-server-side-encryption-customer-key";
            case AZURE -> "x-ms-encryption-key";
            case GCP -> "x-goog-encryption-key";
        };
        return java.util.Base64.getEncoder().encodeToString(customerKey).equals(headers.get(header));
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

    /** An XML error as the cloud writes it (Azure names the detail AuthenticationErrorDetail, GCS Details). */
    private static void error(HttpExchange ex, Cloud shape, int status, String code, String message)
            throws IOException {
        String detail = switch (shape) {
            case AWS -> "";
            case AZURE -> "<AuthenticationErrorDetail>" + message + "</AuthenticationErrorDetail>";
            case GCP -> "<Details>" + message + "</Details>";
        };
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
                + "</Message>" + detail + "</Error>").getBytes(StandardCharsets.UTF_8);
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
