package com.akkio.dbproxy.server.frontend.pgwire;

import java.util.Locale;
import java.util.Map;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;

/**
 * The rules for what a client names in a session (prepared statements, portals, cursors): each may hold a backend
 * statement, so a connection gets a bounded number of each; and a name that is not there is answered as PostgreSQL
 * does.
 */
final class NamedHandles {
    /** Named statements, portals and cursors a connection may keep open, each. */
    static final int MAX = 1000;

    private NamedHandles() {
    }

    /** Refuses one more of {@code what} (plural: "portals") when {@code open} of them are already open. */
    static void checkRoom(String what, int open) {
        if (open >= MAX) {
            throw ProxyError.of(ErrorCode.TOO_MANY_HANDLES, "TOO_MANY_" + what.toUpperCase(Locale.ROOT).replace(' ',
                    '_') + ": a connection may keep at most " + MAX + " open " + what + "; close some first");
        }
    }

    /** The {@code kind} ("portal") named {@code name}; if there is none, {@code unknown} with PostgreSQL's text. */
    static <T> T find(Map<String, T> open, String name, ErrorCode unknown, String kind) {
        T found = open.get(name);
        if (found == null) {
            throw ProxyError.of(unknown, kind + " \"" + name + "\" does not exist");
        }
        return found;
    }
}
