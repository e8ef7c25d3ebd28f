package com.akkio.dbproxy.server.frontend.avatica;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import com.akkio.dbproxy.server.governed.Caller;
import com.akkio.dbproxy.server.governed.Gateway;
import com.akkio.dbproxy.server.governed.ProxyError;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What Avatica's protocol cannot carry, on the proxy's own endpoints beside it, for the client jar. Each is a
 * {@code POST} with form fields, authenticated like every request (HTTP BASIC, the same throttling and refusal
 * audit), and bound to the tenant through {@code connection_id}: another tenant's connection id is unknown, as
 * everywhere. An error is answered with its SQLState, code and message as JSON.
 * <ul>
 * <li>{@code /akkio/cancel}: Avatica has no cancel message, and its client cannot send one while its connection waits
 * for the statement's answer; this is the cancel request on a second HTTP connection, as PostgreSQL's
 * CancelRequest is. It cancels what the connection's backend statements run; the statement fails with {@code 57014
 * QUERY_CANCELLED} and is audited as cancelled. In a cluster, a cancel for a connection another replica holds is
 * announced to the replicas, and the one holding it cancels it. Answer: 204.</li>
 * <li>{@code /akkio/primary-keys} ({@code catalog}, {@code schema}, {@code table}): Avatica's client answers
 * {@code getPrimaryKeys} with an empty result without asking the server. Answer: the rows of JDBC's getPrimaryKeys
 * for a table the tenant may read, under logical names ({@code {"rows": [[cat, schema, table, column, seq, name]]}}).
 * </li>
 * </ul>
 */
final class ProxyEndpoints {
    static final String CANCEL = "/akkio/cancel";
    static final String PRIMARY_KEYS = "/akkio/primary-keys";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TenantAuthenticator auth;
    private final Gateway gateway;

    /** Announcements of cancels for connections another replica of a cluster does not hold. */
    static final String PEER_CANCEL = "avatica-cancel";

    ProxyEndpoints(TenantAuthenticator auth, Gateway gateway) {
        this.auth = auth;
        this.gateway = gateway;
        gateway.peers().listen(PEER_CANCEL, ProxyEndpoints.this::peerCancel);
    }

    /**
     * Another replica received a cancel for a connection it does not hold and authenticated its tenant: cancel the
     * connection here if it is that tenant's (the same binding as a request received here).
     */
    private void peerCancel(String payload) {
        int space = payload.indexOf(' ');
        if (space <= 0) {
            return;
        }
        try {
            gateway.connection(payload.substring(space + 1), new Caller(payload.substring(0, space), null, null))
                    .cancel();
        } catch (ProxyError e) {
            // not held here, or another tenant's: the replica that holds it cancels it
        }
    }

    static boolean serves(String target) {
        return CANCEL.equals(target) || PRIMARY_KEYS.equals(target);
    }

    void handle(String target, HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!"POST".equals(request.getMethod())) {
            response.setHeader("Allow", "POST");
            response.setStatus(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        try {
            String tenant = auth.extract(request);
            Object answer = auth.doAsRemoteUser(tenant, request.getRemoteAddr(), () -> {
                String id = request.getParameter("connection_id");
                if (id == null || id.isEmpty()) {
                    throw ProxyError.unknownHandle("connection");
                }
                Caller caller = CurrentCaller.get();
                if (CANCEL.equals(target)) {
                    try {
                        gateway.connection(id, caller).cancel();
                    } catch (ProxyError e) {
                        if (!gateway.peers().present() || !"08003".equals(e.getSqlState())) {
                            throw e;
                        }
                        // a balancer sent the cancel to another replica than the connection's: announce it, 204
                        gateway.peers().announce(PEER_CANCEL, caller.tenant() + " " + id);
                    }
                    return null;
                }
                // metadata needs the connection itself: a balancer keeps a connection's requests on its replica
                return Map.of("rows", gateway.connection(id, caller).primaryKeys(request.getParameter("catalog"),
                        request.getParameter("schema"), required(request, "table")));
            });
            if (answer == null) {
                response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            } else {
                send(response, HttpServletResponse.SC_OK, answer);
            }
        } catch (ProxyError e) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("sql_state", e.getSqlState());
            body.put("error_code", e.getErrorCode());
            body.put("message", e.getMessage());
            send(response, switch (e.getSqlState()) {
                case "28000" -> HttpServletResponse.SC_UNAUTHORIZED;
                case "53400" -> 429;
                case "08003" -> HttpServletResponse.SC_NOT_FOUND;
                default -> HttpServletResponse.SC_BAD_REQUEST;
            }, body);
        } catch (Exception e) {
            throw new IOException(target + " request failed", e);
        }
    }

    private static String required(HttpServletRequest request, String field) {
        String value = request.getParameter(field);
        if (value == null || value.isEmpty()) {
            throw ProxyError.of(com.akkio.dbproxy.server.errors.ErrorCode.MALFORMED_REQUEST, "the request names no "
                    + field);
        }
        return value;
    }

    private static void send(HttpServletResponse response, int status, Object body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json;charset=utf-8");
        response.getOutputStream().write(JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8));
    }
}
