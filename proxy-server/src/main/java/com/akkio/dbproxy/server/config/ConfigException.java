package com.akkio.dbproxy.server.config;

/** A configuration file that cannot be used; the message names the file and key. Never contains secret values. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
