package com.akkio.dbproxy.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.IntStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.Interval;
import org.antlr.v4.runtime.misc.ParseCancellationException;
import org.antlr.v4.runtime.tree.ParseTree;
import org.apache.spark.sql.catalyst.parser.SqlBaseLexer;
import org.apache.spark.sql.catalyst.parser.SqlBaseParser;

/**
 * Spark's own reading of a statement, the oracle for Databricks SQL: the parse tree of the ANTLR grammar Spark 3.5
 * generates its SQL parser from ({@code SqlBaseLexer}, {@code SqlBaseParser} of spark-sql-api), driven as Spark's
 * {@code ParseDriver} drives it (keywords matched in upper case, SLL first and LL on failure), with Databricks SQL's
 * defaults: no ANSI reserved keywords, double quotes delimit strings. Only the parser is used; no Spark session runs.
 */
final class SparkReading {
    /** The tables, the common table expressions and the functions Spark's parse tree names. */
    record Objects(Set<String> tables, Set<String> unqualified, Set<String> ctes, Set<String> functions,
                   Set<String> tableFunctions) {
    }

    /** The objects of the statement as Spark parsed it, or why it did not. */
    record Parse(Objects objects, String error) {
        boolean parsed() {
            return objects != null;
        }
    }

    private SparkReading() {
    }

    /**
     * Delta's {@code name@v<version>}, which Databricks reads as {@code name VERSION AS OF <version>} and Spark's own
     * grammar does not have: the oracle reads a tenant's text as Databricks does.
     */
    private static final java.util.regex.Pattern DELTA_VERSION = java.util.regex.Pattern.compile(
            "(?<=[A-Za-z0-9_`])@[vV]([0-9]+)\\b");

    static Parse parse(String sql) {
        sql = DELTA_VERSION.matcher(sql).replaceAll(" VERSION AS OF $1");
        try {
            ParseTree tree;
            SqlBaseParser parser = parser(sql);
            parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
            try {
                tree = parser.singleStatement();
            } catch (ParseCancellationException sllFailed) {
                parser = parser(sql);
                parser.getInterpreter().setPredictionMode(PredictionMode.LL);
                tree = parser.singleStatement();
            }
            Objects found = new Objects(new TreeSet<>(), new TreeSet<>(), new TreeSet<>(), new TreeSet<>(),
                    new TreeSet<>());
            collect(tree, found);
            return new Parse(found, null);
        } catch (ParseCancellationException e) {
            return new Parse(null, String.valueOf(e.getMessage()));
        }
    }

    /**
     * Whether Spark reads a query as a set operation at its top, and if so the LIMIT Spark applies to the whole of
     * it: {@code [limit]} (-1 where there is none or it is not a plain number); an empty list for any other
     * statement; null when Spark cannot parse the text.
     */
    static List<Long> setOperationLimit(String sql) {
        sql = DELTA_VERSION.matcher(sql).replaceAll(" VERSION AS OF $1");
        SqlBaseParser.SingleStatementContext statement;
        try {
            SqlBaseParser parser = parser(sql);
            parser.getInterpreter().setPredictionMode(PredictionMode.LL);
            statement = parser.singleStatement();
        } catch (ParseCancellationException e) {
            return null;
        }
        if (!(statement.statement() instanceof SqlBaseParser.StatementDefaultContext top)
                || !(top.query().queryTerm() instanceof SqlBaseParser.SetOperationContext)) {
            return List.of();
        }
        SqlBaseParser.ExpressionContext limit = top.query().queryOrganization().limit;
        return List.of(limit != null && limit.getText().matches("[0-9]{1,18}") ? Long.parseLong(limit.getText()) : -1L);
    }

    /**
     * The leaves of Spark's parse tree of a text, in order, with each table name (an identifier reference) as one
     * leaf {@code <table>} and hints left out: what a rewrite that only replaces table names and drops hints must
     * leave exactly as it was. Null when Spark cannot parse it.
     */
    static List<String> leavesBesideTableNames(String sql) {
        sql = DELTA_VERSION.matcher(sql).replaceAll(" VERSION AS OF $1");
        try {
            SqlBaseParser parser = parser(sql);
            parser.getInterpreter().setPredictionMode(PredictionMode.LL);
            List<String> out = new ArrayList<>();
            leaves(parser.singleStatement(), out);
            return out;
        } catch (ParseCancellationException e) {
            return null;
        }
    }

    private static void leaves(ParseTree node, List<String> out) {
        if (node instanceof SqlBaseParser.IdentifierReferenceContext) {
            out.add("<table>");
        } else if (node instanceof SqlBaseParser.HintContext) {
            return;
        } else if (node instanceof org.antlr.v4.runtime.tree.TerminalNode leaf) {
            if (leaf.getSymbol().getType() != org.antlr.v4.runtime.Token.EOF && !leaf.getText().equals(";")) {
                out.add(leaf.getText());
            }
        } else {
            for (int i = 0; i < node.getChildCount(); i++) {
                leaves(node.getChild(i), out);
            }
        }
    }

    /**
     * The tokens of a text as Spark's lexer cuts it, without comments, white space, names and the dots between them:
     * what a rewrite that only replaces names must leave exactly as it was. Null when Spark cannot lex it.
     */
    static List<String> tokensBesideNames(String sql) {
        sql = DELTA_VERSION.matcher(sql).replaceAll(" VERSION AS OF $1");
        SqlBaseLexer lexer = new SqlBaseLexer(new UpperCase(CharStreams.fromString(sql)));
        lexer.removeErrorListeners();
        lexer.addErrorListener(Fail.INSTANCE);
        List<String> out = new ArrayList<>();
        try {
            for (org.antlr.v4.runtime.Token t : lexer.getAllTokens()) {
                int type = t.getType();
                if (t.getChannel() != org.antlr.v4.runtime.Token.DEFAULT_CHANNEL || type == SqlBaseLexer.IDENTIFIER
                        || type == SqlBaseLexer.BACKQUOTED_IDENTIFIER || type == SqlBaseLexer.DOT
                        || type == SqlBaseLexer.SEMICOLON) {
                    continue;
                }
                out.add(t.getText());
            }
        } catch (ParseCancellationException e) {
            return null;
        }
        return out;
    }

    private static SqlBaseParser parser(String sql) {
        SqlBaseLexer lexer = new SqlBaseLexer(new UpperCase(CharStreams.fromString(sql)));
        lexer.removeErrorListeners();
        lexer.addErrorListener(Fail.INSTANCE);
        SqlBaseParser parser = new SqlBaseParser(new CommonTokenStream(lexer));
        parser.removeErrorListeners();
        parser.addErrorListener(Fail.INSTANCE);
        parser.legacy_setops_precedence_enabled = false;
        parser.legacy_exponent_literal_as_decimal_enabled = false;
        parser.SQL_standard_keyword_behavior = false;
        parser.double_quoted_identifiers = false;
        return parser;
    }

    private static void collect(ParseTree node, Objects found) {
        if (node instanceof SqlBaseParser.IdentifierReferenceContext ref) {
            if (ref.multipartIdentifier() == null) {
                found.functions().add("identifier"); // IDENTIFIER('...') names a table by a string
            } else {
                List<String> parts = parts(ref.multipartIdentifier());
                if (parts.size() == 3) {
                    found.tables().add(String.join(".", parts));
                } else {
                    found.unqualified().add(String.join(".", parts));
                }
            }
        } else if (node instanceof SqlBaseParser.NamedQueryContext cte) {
            found.ctes().add(name(cte.name.getText()));
        } else if (node instanceof SqlBaseParser.FunctionCallContext call) {
            found.functions().add(functionName(call.functionName()));
        } else if (node instanceof SqlBaseParser.FunctionTableContext table) {
            found.tableFunctions().add(functionName(table.functionName()));
            for (int i = 0; i < node.getChildCount(); i++) {
                if (node.getChild(i) != table.functionName()) {
                    collect(node.getChild(i), found);
                }
            }
            return;
        } else if (node instanceof SqlBaseParser.LateralViewContext view) {
            // LATERAL VIEW explode(...): the generator is a function call with a name of its own rule
            List<String> parts = new ArrayList<>();
            for (ParseTree part : view.qualifiedName().identifier()) {
                parts.add(name(part.getText()));
            }
            found.functions().add(String.join(".", parts));
        } else if (node instanceof SqlBaseParser.CurrentLikeContext current) {
            found.functions().add(current.name.getText().toLowerCase(Locale.ROOT));
        }
        for (int i = 0; i < node.getChildCount(); i++) {
            collect(node.getChild(i), found);
        }
    }

    private static String functionName(SqlBaseParser.FunctionNameContext name) {
        if (name.qualifiedName() == null) {
            return name.IDENTIFIER_KW() != null ? "identifier" : name.getText().toLowerCase(Locale.ROOT);
        }
        List<String> parts = new ArrayList<>();
        for (ParseTree part : name.qualifiedName().identifier()) {
            parts.add(name(part.getText()));
        }
        return String.join(".", parts);
    }

    private static List<String> parts(SqlBaseParser.MultipartIdentifierContext id) {
        List<String> parts = new ArrayList<>();
        for (ParserRuleContext part : id.parts) {
            parts.add(name(part.getText()));
        }
        return parts;
    }

    /** An identifier as Spark resolves it: backticks taken off (a doubled one is one), lower case. */
    private static String name(String text) {
        String t = text.length() >= 2 && text.startsWith("`") && text.endsWith("`")
                ? text.substring(1, text.length() - 1).replace("``", "`") : text;
        return t.toLowerCase(Locale.ROOT);
    }

    /** Keywords are matched in upper case, as Spark's ParseDriver does; the text itself is kept as written. */
    private static final class UpperCase implements CharStream {
        private final CharStream wrapped;

        UpperCase(CharStream wrapped) {
            this.wrapped = wrapped;
        }

        @Override
        public int LA(int i) {
            int c = wrapped.LA(i);
            return c == 0 || c == IntStream.EOF ? c : Character.toUpperCase(c);
        }

        @Override
        public String getText(Interval interval) {
            return wrapped.getText(interval);
        }

        @Override
        public void consume() {
            wrapped.consume();
        }

        @Override
        public int mark() {
            return wrapped.mark();
        }

        @Override
        public void release(int marker) {
            wrapped.release(marker);
        }

        @Override
        public int index() {
            return wrapped.index();
        }

        @Override
        public void seek(int index) {
            wrapped.seek(index);
        }

        @Override
        public int size() {
            return wrapped.size();
        }

        @Override
        public String getSourceName() {
            return wrapped.getSourceName();
        }
    }

    /** A syntax error ends the parse, as in Spark (which reports it rather than recovering). */
    private static final class Fail extends BaseErrorListener {
        static final Fail INSTANCE = new Fail();

        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int column,
                                String msg, RecognitionException e) {
            throw new ParseCancellationException("line " + line + ":" + column + " " + msg);
        }
    }
}
