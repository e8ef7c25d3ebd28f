package com.akkio.dbproxy.server.admin;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import com.akkio.dbproxy.server.config.ListenException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The admin endpoint, on its own port: {@code /metrics} (Prometheus text), {@code /health} (the process is up),
 * {@code /ready} (every backend answers), and {@code POST /reload} (re-read tenants and policies). It never serves
 * tenant data, so it carries no tenant authentication; bind it where only operators reach it.
 */
public final class AdminServer implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What {@code /ready} reports for one backend: null when it answers, else why not. */
    public interface ReadinessCheck {
        Map<String, String> problems();

        /** What works but not as configured (e.g. shared limits on local fallback); never makes {@code /ready} fail. */
        default Map<String, String> warnings() {
            return Map.of();
        }

        /** Further figures shown as they are (e.g. how the warm-up at start went); never makes it fail. */
        default Map<String, Object> details() {
            return Map.of();
        }
    }

    /** Re-reads the configuration; returns a description of what changed, or throws with why it was refused. */
    public interface Reloader {
        String reload() throws Exception;
    }

    private final HttpServer http;

    /**
     * @param token the bearer token {@code POST /reload} needs, or null to refuse every write (reads need none: they
     *              hold no tenant data and no secret)
     */
    public AdminServer(String host, int port, String token, ProxyMetrics metrics, ReadinessCheck readiness,
                       Reloader reloader) throws IOException {
        byte[] expected = token == null ? null : sha256(token);
        try {
            http = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (java.net.BindException e) {
            throw new ListenException(host, port, "server.admin_port", e);
        }
        http.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "akkio-admin");
            t.setDaemon(true);
            return t;
        }));
        http.createContext("/metrics", ex -> respond(ex, "GET", 200, "text/plain; version=0.0.4; charset=utf-8",
                metrics::scrape));
        http.createContext("/health", ex -> respond(ex, "GET", 200, "application/json",
                () -> "{\"status\":\"up\"}"));
        http.createContext("/ready", ex -> {
            Map<String, String> problems = readiness.problems();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", problems.isEmpty() ? "ready" : "not ready");
            body.put("problems", problems);
            Map<String, String> warnings = readiness.warnings();
            if (!warnings.isEmpty()) {
                body.put("warnings", warnings);
            }
            body.putAll(readiness.details());
            respond(ex, "GET", problems.isEmpty() ? 200 : 503, "application/json", () -> write(body));
        });
        http.createContext("/reload", ex -> {
            int status;
            Map<String, Object> body = new LinkedHashMap<>();
            String refusal = expected == null ? "admin writes are disabled: configure server.admin_token"
                    : authorized(ex, expected) ? null : "a bearer token (server.admin_token) is required";
            if (refusal != null) {
                body.put("status", "refused");
                body.put("error", refusal);
                status = expected == null ? 403 : 401;
            } else if (!ex.getRequestMethod().equals("POST")) {
                status = 405; // answered by respond, before anything is reloaded
            } else {
                try {
                    body.put("status", "reloaded");
                    body.put("changes", reloader.reload());
                    status = 200;
                } catch (Exception e) {
                    body.put("status", "refused");
                    body.put("error", e.getMessage());
                    status = 422;
                }
            }
            int code = status;
            if (code == 401) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"akkio-admin\"");
            }
            respond(ex, code == 401 || code == 403 ? ex.getRequestMethod() : "POST", code, "application/json",
                    () -> write(body));
        });
        http.start();
    }

    /** The request's bearer token matches: compared as hashes, in constant time. */
    private static boolean authorized(HttpExchange ex, byte[] expected) {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        String bearer = "Bearer ";
        if (header == null || !header.regionMatches(true, 0, bearer, 0, bearer.length())) {
            return false;
        }
        return MessageDigest.isEqual(expected, sha256(header.substring(bearer.length()).strip()));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    public int port() {
        return http.getAddress().getPort();
    }

    private static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void respond(HttpExchange ex, String method, int status, String contentType,
                                Supplier<String> body) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals(method)) {
                ex.getResponseHeaders().add("Allow", method);
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", contentType);
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
