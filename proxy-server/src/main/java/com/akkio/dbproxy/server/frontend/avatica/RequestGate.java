package com.akkio.dbproxy.server.frontend.avatica;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.servlet.ReadListener;
import javax.servlet.ServletException;
import javax.servlet.ServletInputStream;
import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletRequestWrapper;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpServletResponseWrapper;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.AfterResponse;
import com.akkio.dbproxy.server.governed.Gateway;
import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.remote.JsonService;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;
import org.apache.calcite.avatica.remote.Service;
import org.apache.calcite.avatica.server.AvaticaHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.HandlerWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every HTTP request passes before Avatica reads it. A request without credentials gets an HTTP BASIC
 * challenge, as HTTP clients (Avatica's included) only send credentials when challenged; requests with credentials
 * go on to {@link TenantAuthenticator}, which refuses wrong ones with an Avatica error the client can read. A body
 * larger than {@code server.max_request_bytes} is refused before it is read (Avatica would buffer it whole). Work
 * that can wait until the client has its answer runs after the response is sent ({@link AfterResponse}).
 */
public final class RequestGate extends HandlerWrapper implements AvaticaHandler {
    private static final ProtobufTranslationImpl PROTOBUF = new ProtobufTranslationImpl();
    private static final Logger LOG = LoggerFactory.getLogger(RequestGate.class);

    private final AvaticaHandler avatica;
    private final int maxRequestBytes;
    private final boolean json;
    private final ProxyEndpoints endpoints;

    /** The gate with the proxy's own endpoints ({@link ProxyEndpoints}: cancel, primary keys) beside Avatica's. */
    public RequestGate(AvaticaHandler avatica, int maxRequestBytes, boolean json, TenantAuthenticator auth,
                       Gateway gateway) {
        this(avatica, maxRequestBytes, json, new ProxyEndpoints(auth, gateway));
    }

    /** The gate in front of Avatica's protocol alone. */
    public RequestGate(AvaticaHandler avatica, int maxRequestBytes, boolean json) {
        this(avatica, maxRequestBytes, json, (ProxyEndpoints) null);
    }

    private RequestGate(AvaticaHandler avatica, int maxRequestBytes, boolean json, ProxyEndpoints endpoints) {
        this.avatica = avatica;
        this.maxRequestBytes = maxRequestBytes;
        this.json = json;
        this.endpoints = endpoints;
        setHandler(avatica);
    }

    @Override
    public void handle(String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        if (request.getHeader("Authorization") == null) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"akkio-dbproxy\", charset=\"UTF-8\"");
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            baseRequest.setHandled(true);
            return;
        }
        if (request.getContentLengthLong() > maxRequestBytes) {
            refuseTooLarge(baseRequest, response, request.getContentLengthLong());
            return;
        }
        if (endpoints != null && ProxyEndpoints.serves(target)) {
            endpoints.handle(target, request, response);
            baseRequest.setHandled(true);
            return;
        }
        ErrorScrubbing scrubbing = new ErrorScrubbing(response);
        try (AfterResponse afterResponse = AfterResponse.open()) {
            super.handle(target, baseRequest, new Bounded(request, maxRequestBytes), scrubbing);
            scrubbing.finish();
            if (baseRequest.isHandled()) {
                // complete the response (Jetty sizes it, as it would on return) before the deferred work runs
                baseRequest.getResponse().closeOutput();
            }
        }
    }

    /**
     * Avatica answers a failure outside {@code Meta} (a body that does not parse, say) with an error response whose
     * {@code exceptions} are full server stack traces. An error response (HTTP 500) is held back and sent with only
     * the first line of each; every other response passes straight through. A failure that is not the proxy's own
     * error (Avatica sends those as SQLState 00000, vendor code -1, which clients read as success) goes out with a
     * registered code instead ({@link #reclassified}).
     */
    private final class ErrorScrubbing extends HttpServletResponseWrapper {
        private ByteArrayOutputStream held;
        private PrintWriter heldWriter;

        ErrorScrubbing(HttpServletResponse response) {
            super(response);
        }

        @Override
        public void setStatus(int status) {
            super.setStatus(status);
            if (status == HttpServletResponse.SC_INTERNAL_SERVER_ERROR && held == null) {
                held = new ByteArrayOutputStream();
            }
        }

        /** Avatica's JSON handler writes errors through the writer, its protobuf handler through the stream. */
        @Override
        public PrintWriter getWriter() throws IOException {
            if (held == null) {
                return super.getWriter();
            }
            if (heldWriter == null) {
                heldWriter = new PrintWriter(new OutputStreamWriter(held, StandardCharsets.UTF_8));
            }
            return heldWriter;
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (held == null) {
                return super.getOutputStream();
            }
            return new ServletOutputStream() {
                @Override
                public void write(int b) {
                    held.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    held.write(b, off, len);
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                    throw new UnsupportedOperationException("blocking writes only");
                }
            };
        }

        void finish() throws IOException {
            if (held == null) {
                return;
            }
            if (heldWriter != null) {
                heldWriter.flush();
            }
            byte[] body = held.toByteArray();
            try {
                Service.Response parsed = json ? JsonService.MAPPER.readValue(body, Service.Response.class)
                        : PROTOBUF.parseResponse(body);
                if (parsed instanceof Service.ErrorResponse e) {
                    // in place of the stack traces, the message itself: Avatica's client drops the message of an
                    // error while preparing ("while preparing SQL: ...") and keeps only these lines, where the
                    // client jar finds the code name and the rule again; no class name or stack frame leaves
                    Service.ErrorResponse scrubbed = classified(e)
                            ? new Service.ErrorResponse(List.of(e.errorMessage), e.errorMessage, e.errorCode,
                                    e.sqlState, e.severity, e.rpcMetadata)
                            : reclassified(e);
                    body = json ? JsonService.MAPPER.writeValueAsBytes(scrubbed) : PROTOBUF.serializeResponse(scrubbed);
                }
            } catch (IOException | RuntimeException notAnAvaticaError) {
                body = new byte[0]; // not Avatica's error format: send the status alone rather than unknown text
            }
            getResponse().getOutputStream().write(body);
        }
    }

    /** An error with a registered code: a real SQLState and a vendor code above 0. */
    private static boolean classified(Service.ErrorResponse e) {
        return e.errorCode > 0 && e.sqlState != null && e.sqlState.matches("[0-9A-Z]{5}")
                && !e.sqlState.equals("00000");
    }

    /**
     * An unclassified error as the client sees it: a body Avatica could not parse (its protobuf or Jackson reader
     * failed) is the client's {@link ErrorCode#MALFORMED_REQUEST}; anything else is the proxy's
     * {@link ErrorCode#INTERNAL_ERROR}, logged with its stack trace.
     */
    private Service.ErrorResponse reclassified(Service.ErrorResponse e) {
        String first = e.exceptions == null || e.exceptions.isEmpty() ? "" : e.exceptions.get(0);
        // failed while Avatica's handler decoded the body, whatever the exception (a parser's, or Avatica's own
        // IllegalArgumentException or NullPointerException for a message naming no or an unknown request class)
        boolean unreadable = first.contains("ProtobufHandler.decode(") || first.contains("JsonHandler.decode(")
                || first.startsWith("com.fasterxml.jackson.") || first.contains("InvalidProtocolBufferException");
        ErrorCode code = unreadable ? ErrorCode.MALFORMED_REQUEST : ErrorCode.INTERNAL_ERROR;
        String detail;
        if (unreadable) {
            LOG.debug("unreadable request: {}", e.errorMessage);
            detail = "the request is not a valid Avatica " + (json ? "JSON" : "protobuf") + " message";
        } else {
            LOG.warn("a request failed with an unclassified error ({} {}): {} {}", e.sqlState, e.errorCode,
                    e.errorMessage, first);
            detail = "the proxy could not complete the request; its server log has the detail";
        }
        String message = code.message(detail);
        return new Service.ErrorResponse(List.of(message), message, code.vendorCode(), code.sqlState(),
                AvaticaSeverity.ERROR, e.rpcMetadata);
    }

    private void refuseTooLarge(Request baseRequest, HttpServletResponse response, long length) throws IOException {
        ErrorCode code = ErrorCode.REQUEST_TOO_LARGE;
        Service.ErrorResponse error = new Service.ErrorResponse(List.of(), code.message("the request has " + length
                + " bytes, over the limit of " + maxRequestBytes + " (rule: server.max_request_bytes)"),
                code.vendorCode(), code.sqlState(), AvaticaSeverity.ERROR, null);
        byte[] body = json ? JsonService.MAPPER.writeValueAsString(error).getBytes(StandardCharsets.UTF_8)
                : PROTOBUF.serializeResponse(error);
        response.setStatus(HttpServletResponse.SC_INTERNAL_SERVER_ERROR); // Avatica clients read errors from a 500
        response.setContentType(json ? "application/json;charset=utf-8" : "application/octet-stream");
        response.setHeader("Connection", "close");
        response.getOutputStream().write(body);
        baseRequest.setHandled(true);
    }

    @Override
    public void setServerRpcMetadata(Service.RpcMetadataResponse metadata) {
        avatica.setServerRpcMetadata(metadata);
    }

    /**
     * Avatica reads each body on one of the server's 200 threads, and Jetty's idle timeout restarts with every
     * byte: a client sending its body a byte at a time held a thread for as long as it liked, and 200 such clients
     * starved everyone else (ProtocolAbuseTest). Once a body has been read for {@link #SLOW_BODY_GRACE_MS}, it must
     * have arrived at {@link #MIN_BODY_BYTES_PER_SECOND} or the request is refused. Timed from the first read, not
     * from the request's arrival, so a busy server's own delay never counts against a client; a small body is read
     * whole at once and never reaches the check.
     */
    static final long SLOW_BODY_GRACE_MS = 2_000;
    /** 1 MiB (the default max_request_bytes) takes 64 s at this rate; a real client sends it in well under one. */
    static final long MIN_BODY_BYTES_PER_SECOND = 16 * 1024;

    /** A request whose body cannot grow past the limit (for bodies sent without a length) nor trickle in. */
    private static final class Bounded extends HttpServletRequestWrapper {
        private final int limit;
        private ServletInputStream stream;

        Bounded(HttpServletRequest request, int limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                ServletInputStream in = super.getInputStream();
                stream = new ServletInputStream() {
                    private long read;
                    private long firstRead;

                    @Override
                    public int read() throws IOException {
                        int b = in.read();
                        count(b < 0 ? 0 : 1);
                        return b;
                    }

                    @Override
                    public int read(byte[] buffer, int off, int len) throws IOException {
                        int n = in.read(buffer, off, len);
                        count(Math.max(n, 0));
                        return n;
                    }

                    private void count(int n) throws IOException {
                        long now = System.nanoTime();
                        if (firstRead == 0) {
                            firstRead = now;
                        }
                        read += n;
                        if (read > limit) {
                            throw new IOException("request body over " + limit + " bytes");
                        }
                        long ms = (now - firstRead) / 1_000_000;
                        if (ms > SLOW_BODY_GRACE_MS && read * 1000 / ms < MIN_BODY_BYTES_PER_SECOND) {
                            throw new IOException("request body arriving at under " + MIN_BODY_BYTES_PER_SECOND
                                    + " bytes/s");
                        }
                    }

                    @Override
                    public boolean isFinished() {
                        return in.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return in.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        in.setReadListener(listener);
                    }
                };
            }
            return stream;
        }
    }
}
