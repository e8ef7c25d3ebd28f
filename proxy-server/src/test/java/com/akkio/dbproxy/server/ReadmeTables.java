package com.akkio.dbproxy.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The README's tables, read by the tests that hold the code to them (so a table is what the code does, not what it
 * once did): the first table after a heading, one map per row from column header to cell, code spans unwrapped.
 */
public final class ReadmeTables {
    static final Path README = Path.of("../README.md");

    private ReadmeTables() {
    }

    public static List<Map<String, String>> after(String heading) throws IOException {
        List<String> lines = Files.readAllLines(README);
        int at = lines.indexOf(heading);
        if (at < 0) {
            throw new IllegalStateException("README.md has no heading '" + heading + "'");
        }
        int start = at + 1;
        while (start < lines.size() && !lines.get(start).startsWith("|")) {
            start++;
        }
        List<String> header = cells(lines.get(start));
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = start + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            List<String> cells = cells(lines.get(i));
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < header.size(); c++) {
                row.put(header.get(c), c < cells.size() ? cells.get(c) : "");
            }
            rows.add(row);
        }
        return rows;
    }

    /** The rows keyed by their first cell. */
    public static Map<String, Map<String, String>> byFirstColumn(String heading) throws IOException {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (Map<String, String> row : after(heading)) {
            out.put(row.values().iterator().next(), row);
        }
        return out;
    }

    private static List<String> cells(String line) {
        String inner = line.strip();
        inner = inner.substring(1, inner.endsWith("|") ? inner.length() - 1 : inner.length());
        List<String> out = new ArrayList<>();
        for (String cell : inner.split("\\|", -1)) {
            String c = cell.strip();
            out.add(c.length() > 1 && c.startsWith("`") && c.endsWith("`") && c.indexOf('`', 1) == c.length() - 1
                    ? c.substring(1, c.length() - 1) : c);
        }
        return out;
    }
}
