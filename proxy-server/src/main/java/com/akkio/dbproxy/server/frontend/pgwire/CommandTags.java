package com.akkio.dbproxy.server.frontend.pgwire;

import java.util.Locale;

/**
 * The CommandComplete tag of a statement that returned an update count. The governed path reports only the count,
 * so the tag's command word comes from the statement's text (which the policy has already classified and allowed).
 */
final class CommandTags {
    private CommandTags() {
    }

    static String of(String sql, long count) {
        String[] words = sql.strip().replaceAll("^(\\s*(--[^\\n]*\\n|/\\*.*?\\*/))*", "").strip()
                .split("\\s+", 3);
        String first = words.length == 0 ? "" : words[0].toUpperCase(Locale.ROOT);
        return switch (first) {
            case "INSERT" -> "INSERT 0 " + count;
            case "UPDATE", "DELETE", "MERGE" -> first + " " + count;
            case "CREATE", "DROP", "ALTER" -> {
                String object = words.length > 1 ? words[1].toUpperCase(Locale.ROOT) : "";
                if (object.equals("OR") || object.equals("TEMP") || object.equals("TEMPORARY")) {
                    object = words.length > 2 ? words[2].split("\\s+")[0].toUpperCase(Locale.ROOT) : "";
                    if (object.equals("REPLACE")) {
                        object = words[2].split("\\s+").length > 1
                                ? words[2].split("\\s+")[1].toUpperCase(Locale.ROOT) : "";
                    }
                }
                yield (first + " " + object).strip();
            }
            default -> first.isEmpty() ? "OK" : first;
        };
    }
}
