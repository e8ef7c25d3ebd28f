package com.akkio.dbproxy.server.governed;

/**
 * Who opened a governed connection: the authenticated tenant (null before authentication), the client's address and
 * its user agent (or PostgreSQL application name), as the audit log records them.
 */
public record Caller(String tenant, String address, String userAgent) {
}
