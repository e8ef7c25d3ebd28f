package com.akkio.dbproxy.policy;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import net.sf.jsqlparser.statement.DescribeStatement;
import net.sf.jsqlparser.statement.ExplainStatement;
import net.sf.jsqlparser.statement.ResetStatement;
import net.sf.jsqlparser.statement.SessionStatement;
import net.sf.jsqlparser.statement.SetStatement;
import net.sf.jsqlparser.statement.ShowColumnsStatement;
import net.sf.jsqlparser.statement.ShowStatement;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.UseStatement;
import net.sf.jsqlparser.statement.alter.Alter;
import net.sf.jsqlparser.statement.alter.AlterExpression;
import net.sf.jsqlparser.statement.alter.AlterOperation;
import net.sf.jsqlparser.statement.alter.AlterSession;
import net.sf.jsqlparser.statement.create.table.CreateTable;
import net.sf.jsqlparser.statement.create.view.AlterView;
import net.sf.jsqlparser.statement.create.view.CreateView;
import net.sf.jsqlparser.statement.create.view.TemporaryOption;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.drop.Drop;
import net.sf.jsqlparser.statement.execute.Execute;
import net.sf.jsqlparser.statement.export.Export;
import net.sf.jsqlparser.statement.grant.Grant;
import net.sf.jsqlparser.statement.grant.Revoke;
import net.sf.jsqlparser.statement.imprt.Import;
import net.sf.jsqlparser.statement.insert.ConflictActionType;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.show.ShowIndexStatement;
import net.sf.jsqlparser.statement.show.ShowTablesStatement;
import net.sf.jsqlparser.statement.truncate.Truncate;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.upsert.Upsert;

/** Sorts statements into {@link StatementKind}s and rejects the forms of a kind the engine does not govern. */
final class StatementClassifier {
    private static final Set<String> ENGINE_KEYWORDS = Set.of("COPY", "ATTACH", "DETACH", "INSTALL", "LOAD",
            "PRAGMA", "CALL", "EXEC", "EXECUTE", "EXPORT", "IMPORT", "CHECKPOINT", "FORCE", "VACUUM", "OPTIMIZE",
            "ANALYZE", "REFRESH", "CACHE", "UNCACHE", "ADD", "LIST", "MSCK", "RESTORE", "CLONE", "SYNC");
    private static final Set<String> SESSION_KEYWORDS = Set.of("SET", "RESET", "USE", "BEGIN", "COMMIT",
            "ROLLBACK", "START", "ABORT", "DECLARE", "PREPARE", "DEALLOCATE");
    private static final Set<String> GRANT_KEYWORDS = Set.of("GRANT", "REVOKE", "DENY");
    private static final Set<String> SHOW_KEYWORDS = Set.of("SHOW", "SUMMARIZE");
    private static final Set<AlterOperation> COLUMN_OPERATIONS = Set.of(AlterOperation.ADD, AlterOperation.ALTER,
            AlterOperation.DROP, AlterOperation.MODIFY, AlterOperation.CHANGE, AlterOperation.COMMENT);
    /** CREATE TABLE trailing options that keep the table a plain managed table. */
    private static final Set<String> MANAGED_TABLE_OPTIONS = Set.of("USING", "DELTA");

    private StatementClassifier() {
    }

    static StatementKind classify(Statement st) {
        if (st instanceof Select) {
            return StatementKind.QUERY;
        }
        if (st instanceof Upsert) {
            return StatementKind.INSERT_OR_REPLACE;
        }
        if (st instanceof Insert insert) {
            return replaces(insert) ? StatementKind.INSERT_OR_REPLACE : StatementKind.INSERT;
        }
        if (st instanceof CreateTable ct) {
            return ct.isOrReplace() ? StatementKind.CREATE_OR_REPLACE : StatementKind.CREATE_TABLE;
        }
        if (st instanceof CreateView cv) {
            return cv.isOrReplace() ? StatementKind.CREATE_OR_REPLACE : StatementKind.CREATE_VIEW;
        }
        if (st instanceof Merge) {
            return StatementKind.MERGE;
        }
        if (st instanceof Update) {
            return StatementKind.UPDATE;
        }
        if (st instanceof Delete) {
            return StatementKind.DELETE;
        }
        if (st instanceof Truncate) {
            return StatementKind.TRUNCATE;
        }
        if (st instanceof Drop) {
            return StatementKind.DROP;
        }
        if (st instanceof Alter || st instanceof AlterView) {
            return StatementKind.ALTER;
        }
        if (st instanceof DescribeStatement || st instanceof ExplainStatement) {
            return StatementKind.DESCRIBE;
        }
        if (st instanceof ShowStatement || st instanceof ShowTablesStatement || st instanceof ShowColumnsStatement
                || st instanceof ShowIndexStatement) {
            return StatementKind.SHOW;
        }
        if (st instanceof UseStatement || st instanceof SetStatement || st instanceof ResetStatement
                || st instanceof SessionStatement || st instanceof AlterSession) {
            return StatementKind.SESSION;
        }
        if (st instanceof Execute || st instanceof Export || st instanceof Import) {
            return StatementKind.ENGINE;
        }
        if (st instanceof Grant || st instanceof Revoke) {
            return StatementKind.GRANT;
        }
        return StatementKind.OTHER;
    }

    /** An insert that overwrites what a conflicting row or the table held, rather than only adding rows. */
    private static boolean replaces(Insert insert) {
        return insert.isOverwrite() || insert.isUseDuplicate() || insert.getDuplicateAction() != null
                || insert.getConflictAction() != null
                && insert.getConflictAction().getConflictActionType() == ConflictActionType.DO_UPDATE;
    }

    /**
     * Best-effort kind of text that did not parse, from its first keyword, so that {@code ATTACH} or {@code PRAGMA}
     * is reported as a forbidden kind rather than as a typo. Null when nothing is recognised.
     */
    static StatementKind classifyUnparsed(String sql) {
        String keyword = firstKeyword(sql);
        if (keyword == null) {
            return null;
        }
        if (ENGINE_KEYWORDS.contains(keyword)) {
            return StatementKind.ENGINE;
        }
        if (SESSION_KEYWORDS.contains(keyword)) {
            return StatementKind.SESSION;
        }
        if (GRANT_KEYWORDS.contains(keyword)) {
            return StatementKind.GRANT;
        }
        if (SHOW_KEYWORDS.contains(keyword)) {
            return StatementKind.SHOW;
        }
        return null;
    }

    private static String firstKeyword(String sql) {
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c) || c == '(' || c == ';') {
                i++;
            } else if (sql.startsWith("--", i)) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else {
                break;
            }
        }
        int start = i;
        while (i < n && Character.isLetter(sql.charAt(i))) {
            i++;
        }
        return i == start ? null : sql.substring(start, i).toUpperCase(Locale.ROOT);
    }

    /** Rejects forms of a governable kind whose effects reach beyond the objects the analyzer checks. */
    static void checkForm(Statement st) {
        if (st instanceof CreateTable ct) {
            checkCreateTable(ct);
        } else if (st instanceof CreateView cv) {
            if (cv.getTemporary() != null && cv.getTemporary() != TemporaryOption.NONE) {
                throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "temporary views are not allowed");
            }
            if (cv.isMaterialized()) {
                throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "materialized views are not allowed");
            }
        } else if (st instanceof Drop drop) {
            String type = drop.getType() == null ? "" : drop.getType().toUpperCase(Locale.ROOT);
            if (!type.equals("TABLE") && !type.equals("VIEW")) {
                throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "DROP " + type + " is not allowed; only DROP TABLE"
                        + " and DROP VIEW on writable objects");
            }
        } else if (st instanceof Alter alter) {
            List<AlterExpression> ops = alter.getAlterExpressions();
            for (AlterExpression op : ops == null ? List.<AlterExpression>of() : ops) {
                if (!COLUMN_OPERATIONS.contains(op.getOperation())) {
                    throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT,
                            "ALTER TABLE ... " + op.getOperation() + " is not allowed; only column changes");
                }
            }
        } else if (st instanceof ExplainStatement explain) {
            if (explain.getStatement() != null && !(explain.getStatement() instanceof Select)) {
                throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "EXPLAIN is allowed for queries only");
            }
        }
    }

    private static void checkCreateTable(CreateTable ct) {
        if (ct.getCreateOptionsStrings() != null && !ct.getCreateOptionsStrings().isEmpty()) {
            throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "CREATE " + String.join(" ", ct.getCreateOptionsStrings())
                    + " TABLE is not allowed; only plain managed tables");
        }
        List<String> options = new java.util.ArrayList<>();
        if (ct.getTableOptionsStrings() != null) {
            options.addAll(ct.getTableOptionsStrings());
        }
        if (ct.getTableOptions() != null) {
            ct.getTableOptions().forEach(o -> options.add(o.toString()));
        }
        for (String option : options) {
            if (!MANAGED_TABLE_OPTIONS.contains(option.toUpperCase(Locale.ROOT))) {
                throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "CREATE TABLE option " + option
                        + " is not allowed; only plain managed tables (no LOCATION, OPTIONS or properties)");
            }
        }
        if (ct.getPartitionOf() != null) {
            throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "CREATE TABLE ... PARTITION OF is not allowed");
        }
    }
}
