package com.akkio.dbproxy.server.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The proxy's version, as the build wrote it into {@code version.properties} (also when run from classes). */
public final class ProxyVersion {
    private static final String VERSION = load();

    private ProxyVersion() {
    }

    public static String get() {
        return VERSION;
    }

    /** Major and minor number of the version ({@code 0.1.0-SNAPSHOT}: 0 and 1), for JDBC's version getters. */
    public static int part(int index) {
        String[] parts = VERSION.split("[.-]");
        try {
            return index < parts.length ? Integer.parseInt(parts[index]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String load() {
        try (InputStream in = ProxyVersion.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            String v = p.getProperty("version");
            return v == null || v.startsWith("${") ? "development build" : v;
        } catch (IOException e) {
            return "development build";
        }
    }
}
