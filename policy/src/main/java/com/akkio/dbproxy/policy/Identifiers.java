package com.akkio.dbproxy.policy;

import java.util.Locale;

/** Identifier spelling: removes the quoting a tenant used so names compare as the backend compares them. */
final class Identifiers {
    private Identifiers() {
    }

    /**
     * The name an identifier denotes, lower-cased: {@code `Sales`}, {@code "sales"} and {@code SALES} are one name in
     * Unity Catalog and in DuckDB. Embedded doubled quotes are undone.
     */
    static String normalise(String identifier) {
        if (identifier.length() >= 2) {
            char first = identifier.charAt(0);
            char last = identifier.charAt(identifier.length() - 1);
            if ((first == '"' || first == '`') && last == first) {
                String inner = identifier.substring(1, identifier.length() - 1);
                String doubled = String.valueOf(first) + first;
                return inner.replace(doubled, String.valueOf(first)).toLowerCase(Locale.ROOT);
            }
            if (first == '[' && last == ']') {
                return identifier.substring(1, identifier.length() - 1).toLowerCase(Locale.ROOT);
            }
        }
        return identifier.toLowerCase(Locale.ROOT);
    }

    /** True for a name that is really a path or URL, as in {@code delta.`/mnt/x`} or {@code FROM '/etc/passwd'}. */
    static boolean looksLikePath(String raw, String normalised) {
        if (raw.startsWith("'") || raw.startsWith("$")) {
            return true;
        }
        for (int i = 0; i < normalised.length(); i++) {
            char c = normalised.charAt(i);
            if (c == '/' || c == '\\' || c == ':' || c == '~') {
                return true;
            }
        }
        return false;
    }
}
