package com.akkio.dbproxy.server.admin;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
    }

    /** Re-reads the configuration; returns a description of what changed, or throws with why it was refused. */
    public interface Reloader {
        String reload() throws Exception;
    }

    private final HttpServer http;

    public AdminServer(String host, int port, ProxyMetrics metrics, ReadinessCheck readiness, Reloader reloader)
            throws IOException {
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
            respond(ex, "GET", problems.isEmpty() ? 200 : 503, "application/json", () -> write(body));
        });
        http.createContext("/reload", ex -> {
            int status;
            Map<String, Object> body = new LinkedHashMap<>();
            try {
                body.put("status", "reloaded");
                body.put("changes", reloader.reload());
                status = 200;
            } catch (Exception e) {
                body.put("status", "refused");
                body.put("error", e.getMessage());
                status = 422;
            }
            int code = status;
            respond(ex, "POST", code, "application/json", () -> write(body));
        });
        http.start();
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
