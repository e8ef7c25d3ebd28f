package com.akkio.dbproxy.server.config;

import java.io.IOException;

/**
 * The proxy cannot start because of where it runs, not because of a bug: the message says what to change, and
 * {@code serve} prints it as one line.
 */
public class StartupException extends IOException {
    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
