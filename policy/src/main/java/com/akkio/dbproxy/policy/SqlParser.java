package com.akkio.dbproxy.policy;

import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.parser.AbstractJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserConstants;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.parser.ParseException;
import net.sf.jsqlparser.parser.Token;
import net.sf.jsqlparser.statement.Statements;

/**
 * Parses SQL text the way the tenant's backend lexes it, in the calling thread (JSqlParser's own helpers hand each
 * parse to an executor, which costs more than the parse of a small query).
 */
final class SqlParser {
    private SqlParser() {
    }

    /** Thrown for text that does not parse; the message says where, without parser internals. */
    static final class SyntaxError extends Exception {
        SyntaxError(String message) {
            super(message, null, false, false);
        }
    }

    static Statements parse(String sql, Dialect dialect) throws SyntaxError {
        return parse(sql, dialect, CCJSqlParser::Statements);
    }

    /**
     * Parses text that must be one whole expression, such as the body of a generated column that the statement's
     * parse kept as a string ({@link RawText}).
     */
    static Expression parseExpression(String text, Dialect dialect) throws SyntaxError {
        return parse(text, dialect, parser -> {
            Expression expression = parser.Expression();
            Token next = parser.getToken(1);
            if (next != null && next.kind != CCJSqlParserConstants.EOF) {
                throw new ParseException("text after the expression: \"" + next.image + "\"");
            }
            return expression;
        });
    }

    /** One way into the grammar: a production of {@link CCJSqlParser}. */
    private interface Production<T> {
        T parse(CCJSqlParser parser) throws ParseException;
    }

    private static <T> T parse(String sql, Dialect dialect, Production<T> production) throws SyntaxError {
        try {
            try {
                return production.parse(newParser(sql, dialect).withAllowComplexParsing(false));
            } catch (ParseException simpleFailed) {
                try {
                    return production.parse(newParser(sql, dialect).withAllowComplexParsing(true));
                } catch (ParseException e) {
                    throw new SyntaxError(describe(e));
                }
            }
        } catch (StackOverflowError e) {
            throw new SyntaxError("statement nests too deeply to parse");
        } catch (SyntaxError e) {
            throw e;
        } catch (Error | RuntimeException e) {
            // the lexer reports bad characters and unterminated literals as TokenMgrException (an Error)
            throw new SyntaxError(firstSentence(e.getMessage()));
        }
    }

    private static CCJSqlParser newParser(String sql, Dialect dialect) {
        return CCJSqlParserUtil.newParser(sql).withDialect(dialect == Dialect.DATABRICKS
                ? AbstractJSqlParser.Dialect.DATABRICKS : AbstractJSqlParser.Dialect.POSTGRESQL);
    }

    private static String describe(ParseException e) {
        Token t = e.currentToken == null ? null : e.currentToken.next;
        if (t == null) {
            return firstSentence(e.getMessage());
        }
        String near = t.kind == 0 ? "end of input" : "\"" + t.image + "\"";
        return "syntax error at line " + t.beginLine + ", column " + t.beginColumn + " near " + near;
    }

    private static String firstSentence(String message) {
        if (message == null || message.isBlank()) {
            return "syntax error";
        }
        String line = message.strip().lines().findFirst().orElse("syntax error");
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
