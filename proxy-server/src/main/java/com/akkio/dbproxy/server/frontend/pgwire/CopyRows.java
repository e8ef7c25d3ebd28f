package com.akkio.dbproxy.server.frontend.pgwire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;

/**
 * Reads the rows of COPY data as they arrive in CopyData messages, which may cut a row anywhere: PostgreSQL's text
 * format (delimited fields, {@code \N} for null, backslash escapes, an optional {@code \.} end line) or CSV
 * (quoted fields, which may hold delimiters, quotes and line breaks; an unquoted empty field is null by default).
 * A field is null or its text; each row must have {@code columns} fields.
 */
final class CopyRows {
    private final CopyCommand command;
    private final int columns;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean headerSkipped;
    private boolean ended;
    private long line;

    CopyRows(CopyCommand command, int columns) {
        this.command = command;
        this.columns = columns;
        this.headerSkipped = !command.header();
    }

    /** The rows completed by {@code data}. */
    List<String[]> feed(byte[] data) {
        pending.write(data, 0, data.length);
        return rows(false);
    }

    /** The last row, if the data did not end with a line break. */
    List<String[]> finish() {
        return rows(true);
    }

    private List<String[]> rows(boolean last) {
        byte[] buf = pending.toByteArray();
        List<String[]> out = new ArrayList<>();
        int start = 0;
        boolean quoted = false;
        for (int i = 0; i < buf.length; i++) {
            byte b = buf[i];
            if (command.csv() && b == command.quote()) {
                quoted = !quoted; // an escaped quote ("") toggles twice
            } else if (b == '\n' && !quoted) {
                int end = i > start && buf[i - 1] == '\r' ? i - 1 : i;
                record(new String(buf, start, end - start, StandardCharsets.UTF_8), out);
                start = i + 1;
            }
        }
        if (last && start < buf.length) {
            if (quoted) {
                throw invalid("unterminated CSV quoted field");
            }
            record(new String(buf, start, buf.length - start, StandardCharsets.UTF_8), out);
            start = buf.length;
        }
        pending.reset();
        pending.write(buf, start, buf.length - start);
        return out;
    }

    private void record(String text, List<String[]> out) {
        line++;
        if (ended) {
            return; // after \. PostgreSQL ignores the rest
        }
        if (text.equals("\\.")) {
            ended = true;
            return;
        }
        if (!headerSkipped) {
            headerSkipped = true;
            return;
        }
        String[] fields = command.csv() ? csv(text) : text(text);
        if (fields.length != columns) {
            throw invalid("row " + line + " has " + fields.length + " columns, the COPY names " + columns);
        }
        out.add(fields);
    }

    private String[] text(String row) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        StringBuilder raw = new StringBuilder();
        char delimiter = command.delimiter();
        for (int i = 0; i <= row.length(); i++) {
            if (i == row.length() || row.charAt(i) == delimiter) {
                fields.add(raw.toString().equals(command.nullText()) ? null : field.toString());
                field.setLength(0);
                raw.setLength(0);
                continue;
            }
            char c = row.charAt(i);
            raw.append(c);
            if (c != '\\' || i + 1 == row.length()) {
                field.append(c);
                continue;
            }
            char e = row.charAt(++i);
            raw.append(e);
            switch (e) {
                case 'b' -> field.append('\b');
                case 'f' -> field.append('\f');
                case 'n' -> field.append('\n');
                case 'r' -> field.append('\r');
                case 't' -> field.append('\t');
                case 'v' -> field.append('\u000b');
                case 'x' -> {
                    int end = i + 1;
                    while (end < row.length() && end < i + 3 && Character.digit(row.charAt(end), 16) >= 0) {
                        end++;
                    }
                    if (end == i + 1) {
                        field.append('x');
                    } else {
                        field.append((char) Integer.parseInt(row.substring(i + 1, end), 16));
                        raw.append(row, i + 1, end);
                        i = end - 1;
                    }
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int end = i;
                        while (end < row.length() && end < i + 3 && row.charAt(end) >= '0' && row.charAt(end) <= '7') {
                            end++;
                        }
                        field.append((char) Integer.parseInt(row.substring(i, end), 8));
                        raw.append(row, i + 1, end);
                        i = end - 1;
                    } else {
                        field.append(e);
                    }
                }
            }
        }
        return fields.toArray(new String[0]);
    }

    private String[] csv(String row) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        char q = command.quote();
        char esc = command.escape();
        for (int i = 0; i <= row.length(); i++) {
            if (i == row.length()) {
                if (quoted) {
                    throw invalid("unterminated CSV quoted field in row " + line);
                }
                fields.add(!wasQuoted && field.toString().equals(command.nullText()) ? null : field.toString());
                break;
            }
            char c = row.charAt(i);
            if (quoted) {
                if (c == esc && i + 1 < row.length() && row.charAt(i + 1) == q) {
                    field.append(q);
                    i++;
                } else if (c == q) {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == q) {
                quoted = true;
                wasQuoted = true;
            } else if (c == command.delimiter()) {
                fields.add(!wasQuoted && field.toString().equals(command.nullText()) ? null : field.toString());
                field.setLength(0);
                wasQuoted = false;
            } else {
                field.append(c);
            }
        }
        return fields.toArray(new String[0]);
    }

    private static ProxyError invalid(String detail) {
        return ProxyError.of(ErrorCode.COPY_DATA_INVALID, detail);
    }
}
