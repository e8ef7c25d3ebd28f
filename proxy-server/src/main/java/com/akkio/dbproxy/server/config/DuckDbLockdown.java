package com.akkio.dbproxy.server.config;

import java.util.List;

/**
 * The settings that lock an embedded DuckDB down before any tenant's statement reaches it: no file or network access,
 * no extension loading, no configuration changes. One list for the data backend (backend) and the governed catalogs
 * (frontend.pgwire), so that neither can be weaker than the other.
 */
public final class DuckDbLockdown {
    /** Applied in this order: the last one freezes the others. */
    public static final List<String> SETTINGS = List.of(
            "SET enable_external_access = false",
            "SET autoinstall_known_extensions = false",
            "SET autoload_known_extensions = false",
            "SET allow_community_extensions = false",
            "SET lock_configuration = true");

    private DuckDbLockdown() {
    }
}
