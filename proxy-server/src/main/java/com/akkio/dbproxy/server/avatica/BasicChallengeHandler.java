package com.akkio.dbproxy.server.avatica;

import java.io.IOException;

import javax.servlet.ServletException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.apache.calcite.avatica.remote.Service;
import org.apache.calcite.avatica.server.AvaticaHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.HandlerWrapper;

/**
 * Answers a request without credentials with an HTTP BASIC challenge, as HTTP clients (Avatica's included) only send
 * credentials when challenged; requests with credentials go on to the Avatica handler, where
 * {@link TenantAuthenticator} checks them and refuses wrong ones with an Avatica error the client can read.
 */
final class BasicChallengeHandler extends HandlerWrapper implements AvaticaHandler {
    private final AvaticaHandler avatica;

    BasicChallengeHandler(AvaticaHandler avatica) {
        this.avatica = avatica;
        setHandler(avatica);
    }

    @Override
    public void handle(String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        if (request.getHeader("Authorization") == null) {
            request.getInputStream().skip(Long.MAX_VALUE);
            response.setHeader("WWW-Authenticate", "Basic realm=\"akkio-dbproxy\", charset=\"UTF-8\"");
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            baseRequest.setHandled(true);
            return;
        }
        super.handle(target, baseRequest, request, response);
    }

    @Override
    public void setServerRpcMetadata(Service.RpcMetadataResponse metadata) {
        avatica.setServerRpcMetadata(metadata);
    }
}
