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
 * Avatica's protocol has no cancel message, and its client cannot send one while its connection waits for the
 * statement's answer. This is the proxy's own, on a second HTTP connection as PostgreSQL's CancelRequest is:
 * {@code POST /akkio/cancel} with {@code connection_id}, authenticated like every request (HTTP BASIC, the same
 * throttling and refusal audit), and bound to the tenant: another tenant's connection id is unknown, as everywhere.
 * It cancels what the connection's backend statements run; the statement fails with {@code 57014 QUERY_CANCELLED}
 * and is audited as cancelled. The answer is 204, or the error's SQLState, code and message as JSON.
 */
final class CancelEndpoint {
    static final String PATH = "/akkio/cancel";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TenantAuthenticator auth;
    private final Gateway gateway;

    /** Announcements of cancels for connections another replica of a cluster does not hold. */
    static final String PEER_CANCEL = "avatica-cancel";

    CancelEndpoint(TenantAuthenticator auth, Gateway gateway) {
        this.auth = auth;
        this.gateway = gateway;
        gateway.peers().listen(PEER_CANCEL, CancelEndpoint.this::peerCancel);
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

    void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!"POST".equals(request.getMethod())) {
            response.setHeader("Allow", "POST");
            response.setStatus(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        try {
            String tenant = auth.extract(request);
            auth.doAsRemoteUser(tenant, request.getRemoteAddr(), () -> {
                String id = request.getParameter("connection_id");
                if (id == null || id.isEmpty()) {
                    throw ProxyError.unknownHandle("connection");
                }
                Caller caller = CurrentCaller.get();
                try {
                    gateway.connection(id, caller).cancel();
                } catch (ProxyError e) {
                    if (!gateway.peers().present() || !"08003".equals(e.getSqlState())) {
                        throw e;
                    }
                    // a balancer sent the cancel to another replica than the connection's: announce it, answer 204
                    gateway.peers().announce(PEER_CANCEL, caller.tenant() + " " + id);
                }
                return null;
            });
            response.setStatus(HttpServletResponse.SC_NO_CONTENT);
        } catch (ProxyError e) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("sql_state", e.getSqlState());
            body.put("error_code", e.getErrorCode());
            body.put("message", e.getMessage());
            response.setStatus(switch (e.getSqlState()) {
                case "28000" -> HttpServletResponse.SC_UNAUTHORIZED;
                case "53400" -> 429;
                case "08003" -> HttpServletResponse.SC_NOT_FOUND;
                default -> HttpServletResponse.SC_BAD_REQUEST;
            });
            response.setContentType("application/json;charset=utf-8");
            response.getOutputStream().write(JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IOException("cancel request failed", e);
        }
    }
}
