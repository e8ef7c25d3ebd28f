package com.akkio.dbproxy.server.config;

/**
 * A listener that cannot bind the address its configuration gives it (the port is taken, the address is not this
 * machine's): the message names the address and the configuration key, so {@code serve} can say it in one line.
 */
public final class ListenException extends StartupException {
    public ListenException(String host, int port, String key, Throwable cause) {
        super("cannot listen on " + host + ":" + port + " (" + key + "): " + reason(cause), cause);
    }

    private static String reason(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException && t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return String.valueOf(cause.getMessage());
    }
}
