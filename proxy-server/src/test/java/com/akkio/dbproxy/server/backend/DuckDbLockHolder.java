package com.akkio.dbproxy.server.backend;

import java.sql.Connection;
import java.sql.DriverManager;

/**
 * Run in a separate process: opens a DuckDB file (DuckDB locks it against other processes), says so on standard
 * output, and holds it until its standard input closes.
 */
public final class DuckDbLockHolder {
    private DuckDbLockHolder() {
    }

    public static void main(String[] args) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + args[0])) {
            c.createStatement().execute("SELECT 1");
            System.out.println("LOCKED");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the file until the parent closes our stdin (or dies)
            }
        }
    }
}
