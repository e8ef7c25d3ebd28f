package com.akkio.dbproxy.policy;

import static net.sf.jsqlparser.parser.CCJSqlParserConstants.DATA_TYPE;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_ALL;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_AND;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_DATA;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_DATE_LITERAL;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_LEVEL;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_NAME;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_TYPE;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_UNION;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_USING;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_VALUES;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.MAX_NON_RESERVED_WORD;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.MIN_NON_RESERVED_WORD;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_AS;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_ASC;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_BETWEEN;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_BY;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_CASE;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_COALESCE;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_CAST;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_COUNT;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_CURRENT;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_DATETIMELITERAL;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_DESC;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_DISTINCT;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_ELSE;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_END;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_EXCEPT;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_EXISTS;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_FALSE;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_FIRST;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_FOLLOWING;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_FROM;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_FULL;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_GROUP;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_GROUPING;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_HAVING;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_ILIKE;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_IN;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_INNER;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_INTERSECT;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_INTERVAL;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_IS;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_ISOLATION;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_JOIN;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_LEFT;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_LAST;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_LIKE;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_LIMIT;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_MAX;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_MIN;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_MINUS;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_NOT;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_NULL;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_NULLS;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_ON;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_OR;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_ORDER;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_OUTER;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_OVER;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_PARTITION;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_PLACING;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_RANGE;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_PRECEDING;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_RIGHT;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_ROW;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_ROWS;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_ROLLUP;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_SELECT;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_STRING;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_STRING_FUNCTION_NAME;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_THEN;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_TO;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_TRUE;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_UNBOUNDED;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_WHEN;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_WHERE;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.K_WITH;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.OP_CONCAT;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.OP_GREATERTHANEQUALS;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.OP_MINORTHANEQUALS;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.OP_NOTEQUALSBANG;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.OP_NOTEQUALSSTANDARD;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.S_CHAR_LITERAL;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.S_DOUBLE;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.S_IDENTIFIER;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.S_LONG;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.S_QUOTED_IDENTIFIER;
import static net.sf.jsqlparser.parser.CCJSqlParserConstants.ST_SEMICOLON;
import static net.sf.jsqlparser.parser.CCJSqlParserTreeConstants.JJTCOLUMN;
import static net.sf.jsqlparser.parser.CCJSqlParserTreeConstants.JJTEXPRESSION;
import static net.sf.jsqlparser.parser.CCJSqlParserTreeConstants.JJTFROMITEM;
import static net.sf.jsqlparser.parser.CCJSqlParserTreeConstants.JJTFUNCTION;
import static net.sf.jsqlparser.parser.CCJSqlParserTreeConstants.JJTINEXPRESSION;
import static net.sf.jsqlparser.parser.CCJSqlParserTreeConstants.JJTJOINEREXPRESSION;
import static net.sf.jsqlparser.parser.CCJSqlParserTreeConstants.JJTLIKEEXPRESSION;
import static net.sf.jsqlparser.parser.CCJSqlParserTreeConstants.JJTLIMITWITHOFFSET;
import static net.sf.jsqlparser.parser.CCJSqlParserTreeConstants.JJTPARENTHESEDSELECT;
import static net.sf.jsqlparser.parser.CCJSqlParserTreeConstants.JJTPLAINLIMIT;
import static net.sf.jsqlparser.parser.CCJSqlParserTreeConstants.JJTPLAINSELECT;
import static net.sf.jsqlparser.parser.CCJSqlParserTreeConstants.JJTPRIMARYEXPRESSION;
import static net.sf.jsqlparser.parser.CCJSqlParserTreeConstants.JJTREGULARCONDITION;
import static net.sf.jsqlparser.parser.CCJSqlParserTreeConstants.JJTSELECT;
import static net.sf.jsqlparser.parser.CCJSqlParserTreeConstants.JJTSELECTITEM;
import static net.sf.jsqlparser.parser.CCJSqlParserTreeConstants.JJTSETOPERATIONLIST;
import static net.sf.jsqlparser.parser.CCJSqlParserTreeConstants.JJTTABLENAME;

import java.util.ArrayList;
import java.util.List;

import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.AnalyticType;
import net.sf.jsqlparser.expression.BinaryExpression;
import net.sf.jsqlparser.expression.BooleanValue;
import net.sf.jsqlparser.expression.CaseExpression;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.DateTimeLiteralExpression;
import net.sf.jsqlparser.expression.DateUnitExpression;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.IntervalExpression;
import net.sf.jsqlparser.expression.IntervalQualifier;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NotExpression;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.SignedExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.WhenClause;
import net.sf.jsqlparser.expression.WindowDefinition;
import net.sf.jsqlparser.expression.WindowElement;
import net.sf.jsqlparser.expression.WindowOffset;
import net.sf.jsqlparser.expression.WindowRange;
import net.sf.jsqlparser.expression.operators.arithmetic.Addition;
import net.sf.jsqlparser.expression.operators.arithmetic.Concat;
import net.sf.jsqlparser.expression.operators.arithmetic.Division;
import net.sf.jsqlparser.expression.operators.arithmetic.Modulo;
import net.sf.jsqlparser.expression.operators.arithmetic.Multiplication;
import net.sf.jsqlparser.expression.operators.arithmetic.Subtraction;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.conditional.OrExpression;
import net.sf.jsqlparser.expression.operators.relational.Between;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ExistsExpression;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.GreaterThan;
import net.sf.jsqlparser.expression.operators.relational.GreaterThanEquals;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.expression.operators.relational.IsNullExpression;
import net.sf.jsqlparser.expression.operators.relational.LikeExpression;
import net.sf.jsqlparser.expression.operators.relational.MinorThan;
import net.sf.jsqlparser.expression.operators.relational.MinorThanEquals;
import net.sf.jsqlparser.expression.operators.relational.NotEqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.parser.ASTNodeAccess;
import net.sf.jsqlparser.parser.CCJSqlParserConstants;
import net.sf.jsqlparser.parser.Node;
import net.sf.jsqlparser.parser.Token;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.create.table.ColDataType;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.Distinct;
import net.sf.jsqlparser.statement.select.ExceptOp;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.GroupByElement;
import net.sf.jsqlparser.statement.select.IntersectOp;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.Limit;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperation;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.UnionOp;
import net.sf.jsqlparser.statement.select.WithItem;

/**
 * Reads the common analytic SELECT (query blocks: WITH, select list, FROM with joins and bracketed queries, WHERE,
 * GROUP BY, HAVING, ORDER BY, LIMIT, joined by UNION, INTERSECT and EXCEPT; columns, literals, parameters,
 * arithmetic, brackets, comparisons, IN, BETWEEN, LIKE, IS NULL, NOT, EXISTS, CASE, CAST, INTERVAL, calls (substr,
 * coalesce, grouping and ROLLUP too), window calls with frames, and bracketed queries) from the tokens JSqlParser's lexer cut, into the very tree JSqlParser's grammar builds for them: the same node classes
 * built through the same constructors and setters, and the same token spans on the nodes the grammar links
 * ({@link ASTNodeAccess}), which the rewrite uses to find names in the text.
 *
 * <p>Why: the grammar's backtracking lookaheads cost most of a first-time decision, and a statement of this shape
 * needs none of them. Anything else, and anything where the grammar's choice is not plain, is left to the grammar:
 * {@link #parse} answers null as soon as a token is not one this reader expects in its place, so what it reads is a
 * strict subset. {@code FastSelectTest} holds it to the grammar's tree, field by field, over the test corpora and
 * their mutations.
 */
final class FastSelect {
    /** Thrown to give up; costs no stack trace. */
    private static final class GiveUp extends RuntimeException {
        private static final GiveUp INSTANCE = new GiveUp();

        private GiveUp() {
            super(null, null, false, false);
        }
    }

    private final List<Token> tokens;
    private final int end;
    private int at;
    /** JSqlParser numbers the parameters of a parse in order, from 1. */
    private int parameters;

    private FastSelect(List<Token> tokens, int end) {
        this.tokens = tokens;
        this.end = end;
    }

    /**
     * The statements of {@code tokens} (a whole text's tokens, EOF left out) as JSqlParser's grammar reads them, or
     * null when they are not a statement of the shape this reader knows.
     */
    static Statements parse(List<Token> tokens) {
        int end = tokens.size();
        if (end > 0 && tokens.get(end - 1).kind == ST_SEMICOLON) {
            end--;
        }
        if (end == 0 || tokens.get(0).kind != K_SELECT && tokens.get(0).kind != K_WITH) {
            return null;
        }
        for (int i = 0; i < end; i++) {
            if (tokens.get(i).specialToken != null || tokens.get(i).kind == ST_SEMICOLON) {
                return null; // comments (which may be optimiser hints) and further statements: the grammar's
            }
        }
        FastSelect reader = new FastSelect(tokens, end);
        try {
            Select select = reader.select(false);
            if (reader.at != end) {
                return null;
            }
            Statements statements = new Statements();
            statements.add(select);
            return statements;
        } catch (RuntimeException | StackOverflowError e) {
            // GiveUp, or a node's constructor refusing a value (Column: "Invalid column name"), or nesting too deep:
            // the grammar reads it and reports it as it always has
            return null;
        }
    }

    private int kind() {
        return at < end ? tokens.get(at).kind : CCJSqlParserConstants.EOF;
    }

    private boolean is(String punctuation) {
        return at < end && is(at, punctuation);
    }

    private Token expect(int kind) {
        if (kind() != kind) {
            throw giveUp();
        }
        return tokens.get(at++);
    }

    private void expect(String punctuation) {
        if (!is(punctuation)) {
            throw giveUp();
        }
        at++;
    }

    private static GiveUp giveUp() {
        return GiveUp.INSTANCE;
    }

    /** Links a node as the grammar does: a node of the production, spanning from {@code first} to the last read. */
    private <T extends ASTNodeAccess> T link(T access, int production, int first) {
        Node node = new Node(production);
        node.jjtSetFirstToken(tokens.get(first));
        node.jjtSetLastToken(tokens.get(at - 1));
        node.jjtSetValue(access);
        access.setASTNode(node);
        return access;
    }

    /**
     * Links a node that opens at {@code opening} (an operator after its left operand) and that the grammar stretches
     * back to where the left operand's node starts, when it has one.
     */
    private <T extends ASTNodeAccess> T linkAfter(T access, int production, int opening, Expression left) {
        link(access, production, opening);
        Node leftNode = left.getASTNode();
        if (leftNode != null && leftNode.jjtGetFirstToken() != null) {
            access.getASTNode().jjtSetFirstToken(leftNode.jjtGetFirstToken());
        }
        return access;
    }

    /**
     * The grammar's Select: [WITH name AS (query), ...], a query block and the set operations after it;
     * {@code nested} in brackets, where its node spans the WITH too (a statement's starts at its query block).
     */
    private Select select(boolean nested) {
        int first = at;
        List<WithItem<?>> with = null;
        if (kind() == K_WITH) {
            at++;
            with = new ArrayList<>();
            with.add(withItem());
            while (is(",")) {
                at++;
                with.add(withItem());
            }
        }
        int body = at;
        Select select;
        if (nested && with == null && is("(")) {
            select = parenthesedSelect(); // ((SELECT ...) UNION ...): nestedSetOperationAhead led here
            if (!setOperationStarts()) {
                throw giveUp();
            }
        } else {
            select = plainSelect();
        }
        if (setOperationStarts()) {
            select = setOperationList(select);
        }
        link(select, JJTSELECT, nested ? first : body);
        return select.withWithItemsList(with);
    }

    private boolean setOperationStarts() {
        int k = kind();
        return k == K_UNION || k == K_INTERSECT || k == K_EXCEPT;
    }

    /**
     * The grammar's SetOperationList after a first query block: UNION, INTERSECT or EXCEPT [ALL | DISTINCT] and a
     * query block or a bracketed query, repeated. The last block read ORDER BY and LIMIT as its own; the grammar
     * then gives them to the list when an ORDER BY is among them. ORDER BY or LIMIT on another block, or after a
     * bracketed last one, is left to the grammar.
     */
    private SetOperationList setOperationList(Select firstSelect) {
        int opening = at;
        List<Select> selects = new ArrayList<>();
        List<SetOperation> operations = new ArrayList<>();
        selects.add(firstSelect);
        while (setOperationStarts()) {
            if (selects.get(selects.size() - 1) instanceof PlainSelect block
                    && (block.getOrderByElements() != null || block.getLimit() != null)) {
                throw giveUp();
            }
            operations.add(setOperation());
            selects.add(kind() == K_SELECT ? plainSelect() : parenthesedSelect());
        }
        SetOperationList list = new SetOperationList();
        Select last = selects.get(selects.size() - 1);
        if (last instanceof PlainSelect block && block.getOrderByElements() != null) {
            list.setOrderByElements(block.getOrderByElements());
            list.setLimit(block.getLimit());
            list.setOffset(block.getOffset());
            block.setOrderByElements(null);
            block.setLimit(null);
            block.setOffset(null);
        } else if (last instanceof ParenthesedSelect && (kind() == K_ORDER || kind() == K_LIMIT)) {
            throw giveUp();
        }
        list.setBracketsOpsAndSelects(selects, operations);
        // the grammar links every operation to the list's one node, which opens at the first operator
        Node node = link(operations.get(operations.size() - 1), JJTSETOPERATIONLIST, opening).getASTNode();
        for (SetOperation operation : operations) {
            operation.setASTNode(node);
        }
        return list;
    }

    /** An operator and its modifier (ALL, DISTINCT; ALL BY NAME and the like are the grammar's). */
    private SetOperation setOperation() {
        int k = tokens.get(at++).kind;
        String modifier = null;
        if (kind() == K_ALL || kind() == K_DISTINCT) {
            modifier = tokens.get(at++).image;
            if (kind() == K_BY) {
                throw giveUp();
            }
        }
        return k == K_UNION ? new UnionOp(modifier) : k == K_INTERSECT ? new IntersectOp(modifier)
                : new ExceptOp(modifier);
    }

    private WithItem<?> withItem() {
        String name = name();
        expect(K_AS);
        if (!is("(")) {
            throw giveUp(); // a column list, MATERIALIZED, ...
        }
        return new WithItem<>(parenthesedSelect(), new Alias(name, false)).withRecursive(false, false, false)
                .withWithItemList(null);
    }

    /** A bracketed query: {@code (SELECT ...)}, {@code ((SELECT ...) UNION ...)}. */
    private ParenthesedSelect parenthesedSelect() {
        int first = at;
        if (!queryInBrackets()) {
            throw giveUp();
        }
        at++;
        Select select = select(true);
        expect(")");
        return link(new ParenthesedSelect(), JJTPARENTHESEDSELECT, first).withSelect(select);
    }

    private boolean queryInBrackets() {
        return is("(") && at + 1 < end && (tokens.get(at + 1).kind == K_SELECT || tokens.get(at + 1).kind == K_WITH
                || nestedSetOperationAhead());
    }

    /**
     * The grammar's isNestedSetOperationAhead, which makes {@code ((SELECT ...) UNION ...)} a bracketed query where
     * an expression or a FROM item stands: brackets at the next two tokens and any run of them up to a query, and
     * a set operator after the bracket that closes the second, looked for within the grammar's 500 tokens. With
     * {@code token(i)} the grammar's getToken(i), the token at {@code at + i - 1}.
     */
    private boolean nestedSetOperationAhead() {
        int query = queryAfterBrackets();
        if (query < 0) {
            return false;
        }
        int depth = query - at - 1;
        int i = query - at + 1;
        for (i++; i <= 500; i++) {
            if (at + i - 1 >= end) {
                return false;
            }
            if (is(at + i - 1, "(")) {
                depth++;
            } else if (is(at + i - 1, ")") && --depth == 0) {
                break;
            }
        }
        if (i > 500 || at + i >= end) {
            return false;
        }
        int k = tokens.get(at + i).kind;
        return k == K_UNION || k == K_INTERSECT || k == K_EXCEPT || k == K_MINUS;
    }

    /**
     * Whether brackets open at {@code at} and at the next token, and the run of them ends at a query: the grammar
     * scans such a run for a set operation after the inner query (isNestedSetOperationAhead), which this reader
     * does not mirror.
     */
    private boolean bracketsBeforeQuery() {
        return queryAfterBrackets() >= 0;
    }

    /**
     * Where the query stands after the run of brackets opening at {@code at} and at the next token (the grammar's
     * isNestedSetOperationAhead starts so), or -1 when there is no such run or no query after it.
     */
    private int queryAfterBrackets() {
        int i = at + 1;
        while (i < end && is(i, "(")) {
            i++;
        }
        if (i == at + 1 || i >= end) {
            return -1;
        }
        int k = tokens.get(i).kind;
        return k == K_SELECT || k == K_WITH || k == K_VALUES ? i : -1;
    }

    private PlainSelect plainSelect() {
        int first = at;
        expect(K_SELECT);
        PlainSelect select = new PlainSelect();
        if (kind() == K_DISTINCT) {
            at++;
            if (kind() == K_ON) {
                throw giveUp();
            }
            select.setDistinct(new Distinct());
        }
        List<SelectItem<?>> items = new ArrayList<>();
        items.add(selectItem());
        while (is(",")) {
            at++;
            items.add(selectItem());
        }
        FromItem from = null;
        List<Join> joins = null;
        if (kind() == K_FROM) {
            at++;
            from = fromItem();
            while (joinStarts()) {
                if (joins == null) {
                    joins = new ArrayList<>();
                }
                joins.add(join());
            }
        }
        if (kind() == K_WHERE) {
            at++;
            select.setWhere(expression());
        }
        if (kind() == K_GROUP) {
            at++;
            expect(K_BY);
            GroupByElement groupBy = new GroupByElement();
            groupBy.setGroupByExpressions(expressionList());
            select.setGroupByElement(groupBy);
        }
        if (kind() == K_HAVING) {
            at++;
            select.setHaving(expression());
        }
        if (kind() == K_ORDER) {
            select.setOrderByElements(orderByElements());
        }
        if (kind() == K_LIMIT) {
            int limitAt = at++;
            Limit limit = new Limit();
            limit.setRowCount(expression());
            link(limit, JJTPLAINLIMIT, limitAt);
            select.setLimit(link(limit, JJTLIMITWITHOFFSET, limitAt));
        }
        select.setSelectItems(items);
        select.setFromItem(from);
        if (joins != null) {
            select.setJoins(joins);
        }
        return link(select, JJTPLAINSELECT, first);
    }

    private SelectItem<?> selectItem() {
        int first = at;
        Expression expression = orExpression();
        SelectItem<?> item = new SelectItem<>(expression, alias());
        return link(item, JJTSELECTITEM, first);
    }

    /** {@code [AS] name}, or null; a name followed by a bracket (alias columns) is the grammar's. */
    private Alias alias() {
        boolean as = kind() == K_AS;
        if (as) {
            at++;
        }
        int k = kind();
        if (!isName(k) && !(as && (k == K_DATE_LITERAL
                || k >= MIN_NON_RESERVED_WORD && k <= MAX_NON_RESERVED_WORD))) {
            if (as) {
                throw giveUp();
            }
            return null;
        }
        Alias alias = new Alias(tokens.get(at++).image, as);
        if (is("(")) {
            throw giveUp();
        }
        return alias;
    }

    private FromItem fromItem() {
        int first = at;
        if (queryInBrackets()) {
            ParenthesedSelect query = parenthesedSelect();
            Alias alias = alias();
            if (alias != null) {
                query.setAlias(alias);
            }
            return link(query, JJTFROMITEM, first);
        }
        List<String> names = names();
        if (is("(") || is(".")) {
            throw giveUp(); // a table function, or a name the grammar reads further
        }
        Table table = link(NameNodes.table(names), JJTTABLENAME, first);
        Alias alias = alias();
        if (alias != null) {
            table.setAlias(alias);
        }
        return link(table, JJTFROMITEM, first);
    }

    /** Names joined by dots, each an identifier or a quoted name. */
    private List<String> names() {
        List<String> names = new ArrayList<>(3);
        names.add(name());
        while (is(".") && at + 1 < end && isName(tokens.get(at + 1).kind)) {
            at++;
            names.add(name());
        }
        return names;
    }

    /**
     * The keywords this reader reads as such, or as names ({@code count}, {@code name}, {@code month} after AS):
     * {@link FastLexer} leaves texts with any other keyword to JSqlParser's lexer.
     */
    static boolean readsKeyword(int kind) {
        switch (kind) {
            case K_SELECT, K_DISTINCT, K_FROM, K_WHERE, K_GROUP, K_BY, K_HAVING, K_ORDER, K_LIMIT, K_AS, K_JOIN,
                 K_INNER, K_LEFT, K_RIGHT, K_FULL, K_OUTER, K_ON, K_USING, K_AND, K_OR, K_NOT, K_IN, K_IS, K_NULL,
                 K_BETWEEN, K_LIKE, K_ILIKE, K_CASE, K_WHEN, K_THEN, K_ELSE, K_END, K_TRUE, K_FALSE, K_ASC, K_DESC,
                 K_DATETIMELITERAL, K_DATE_LITERAL, K_COUNT, K_MAX, K_MIN, K_NAME, K_TYPE, K_DATA, K_LEVEL, K_WITH,
                 K_OVER, K_PARTITION, K_CAST, DATA_TYPE, K_INTERVAL, K_STRING_FUNCTION_NAME, K_EXISTS, K_UNION,
                 K_INTERSECT, K_EXCEPT, K_ALL, K_COALESCE, K_GROUPING, K_ROLLUP, K_ROWS, K_RANGE, K_UNBOUNDED,
                 K_PRECEDING, K_FOLLOWING, K_ROW, K_STRING, K_NULLS, K_FIRST, K_LAST, K_ISOLATION:
                return true;
            default:
                return false;
        }
    }

    /**
     * Keywords this reader reads only as the name of a plain call: {@code count(...)}, {@code coalesce(...)},
     * {@code grouping(...)}, {@code ROLLUP(...)} (a call to the grammar too), {@code year(...)}, ...
     */
    private static boolean isCallName(int kind) {
        return kind == K_COUNT || kind == K_MAX || kind == K_MIN || kind == K_DATE_LITERAL || kind == K_COALESCE
                || kind == K_GROUPING || kind == K_ROLLUP;
    }

    /**
     * An identifier, a quoted name, or one of the isolation levels ({@code CS}, {@code UR}, {@code RS}, {@code RR}):
     * one keyword to JSqlParser's lexer, which the grammar reads as a name everywhere but after {@code WITH} at a
     * statement's end (not read here); TPC-DS names {@code catalog_sales} {@code cs}.
     */
    private static boolean isName(int kind) {
        return kind == S_IDENTIFIER || kind == S_QUOTED_IDENTIFIER || kind == K_ISOLATION;
    }

    /**
     * Keywords the grammar reads as a column's name like an identifier, wherever a column may stand: common column
     * names, none of which has a production of its own in an expression.
     */
    private static boolean isKeywordName(int kind) {
        return kind == K_NAME || kind == K_TYPE || kind == K_DATA || kind == K_LEVEL;
    }

    private String name() {
        if (!isName(kind())) {
            throw giveUp();
        }
        return tokens.get(at++).image;
    }

    private boolean joinStarts() {
        int k = kind();
        return k == K_JOIN || k == K_INNER || k == K_LEFT || k == K_RIGHT || k == K_FULL || is(",");
    }

    private Join join() {
        int first = at;
        Join join = new Join();
        int k = kind();
        if (is(",")) {
            at++;
            join.setSimple(true);
            if (kind() == K_OUTER) {
                throw giveUp();
            }
        } else {
            if (k == K_LEFT || k == K_RIGHT || k == K_FULL) {
                at++;
                if (k == K_LEFT) {
                    join.setLeft(true);
                } else if (k == K_RIGHT) {
                    join.setRight(true);
                } else {
                    join.setFull(true);
                }
                if (kind() == K_OUTER) {
                    at++;
                    join.setOuter(true);
                }
            } else if (k == K_INNER) {
                at++;
                join.setInner(true);
            }
            expect(K_JOIN);
        }
        FromItem right = fromItem();
        if (kind() == K_ON) {
            at++;
            join.addOnExpression(expression());
            if (kind() == K_ON) {
                throw giveUp();
            }
        } else if (kind() == K_USING) {
            at++;
            expect("(");
            List<Column> columns = new ArrayList<>();
            do {
                if (!columns.isEmpty()) {
                    at++;
                }
                int column = at;
                List<String> names = new ArrayList<>(1);
                names.add(name());
                columns.add(link(NameNodes.column(names, List.of()), JJTCOLUMN, column));
            } while (is(","));
            expect(")");
            join.setUsingColumns(columns);
        }
        link(join, JJTJOINEREXPRESSION, first);
        join.setFromItem(right);
        return join;
    }

    private List<OrderByElement> orderByElements() {
        expect(K_ORDER);
        expect(K_BY);
        List<OrderByElement> order = new ArrayList<>();
        order.add(orderByElement());
        while (is(",")) {
            at++;
            order.add(orderByElement());
        }
        return order;
    }

    private OrderByElement orderByElement() {
        OrderByElement element = new OrderByElement();
        Expression expression = expression();
        int k = kind();
        if (k == K_ASC || k == K_DESC) {
            at++;
            if (k == K_DESC) {
                element.setAsc(false);
            }
            element.setAscDescPresent(true);
        }
        if (kind() == K_NULLS) {
            at++;
            k = kind();
            if (k != K_FIRST && k != K_LAST) {
                throw giveUp(); // NULLS alone
            }
            at++;
            element.setNullOrdering(k == K_FIRST ? OrderByElement.NullOrdering.NULLS_FIRST
                    : OrderByElement.NullOrdering.NULLS_LAST);
        }
        element.setExpression(expression);
        return element;
    }

    /** The grammar's Expression production: a condition, linked to a node of its own. */
    private Expression expression() {
        int first = at;
        Expression expression = orExpression();
        return link(expression, JJTEXPRESSION, first);
    }

    private Expression orExpression() {
        Expression left = andExpression();
        while (kind() == K_OR) {
            at++;
            left = new OrExpression(left, andExpression());
        }
        return left;
    }

    private Expression andExpression() {
        Expression left = condition();
        while (kind() == K_AND) {
            at++;
            left = new AndExpression(left, condition());
        }
        return left;
    }

    /**
     * The comparison a token starts, or null. An operator the lexer took with white space inside ({@code ! =}) is
     * the grammar's to judge.
     */
    private static BinaryExpression comparison(Token t) {
        if (t.image.length() > 2 || t.image.indexOf(' ') >= 0) {
            return null;
        }
        switch (t.kind) {
            case OP_GREATERTHANEQUALS:
                return new GreaterThanEquals(t.image);
            case OP_MINORTHANEQUALS:
                return new MinorThanEquals(t.image);
            case OP_NOTEQUALSSTANDARD, OP_NOTEQUALSBANG:
                return new NotEqualsTo(t.image);
            case S_CHAR_LITERAL, S_QUOTED_IDENTIFIER, S_IDENTIFIER:
                return null;
            default:
                return switch (t.image) {
                    case "=" -> new EqualsTo();
                    case "<" -> new MinorThan();
                    case ">" -> new GreaterThan();
                    default -> null;
                };
        }
    }

    /** The grammar's Condition: [NOT] an expression and what may follow it (a comparison, IN, LIKE, ...). */
    private Expression condition() {
        if (kind() == K_NOT) {
            at++;
            if (kind() == K_NOT) {
                throw giveUp(); // NOT NOT: the grammar's choices between its NOTs
            }
            return new NotExpression(kind() == K_EXISTS ? exists() : predicate(), false);
        }
        return kind() == K_EXISTS ? exists() : predicate();
    }

    /**
     * The grammar's ExistsExpression: EXISTS and a simple expression, with no comparison after it; only over a
     * bracketed query here (anything else after EXISTS is rare enough to leave to the grammar).
     */
    private Expression exists() {
        at++; // EXISTS
        if (!queryInBrackets()) {
            throw giveUp();
        }
        ExistsExpression exists = new ExistsExpression();
        exists.setRightExpression(simpleExpression());
        return exists;
    }

    private Expression predicate() {
        Expression left = simpleExpression();
        if (at >= end) {
            return left;
        }
        BinaryExpression comparison = comparison(tokens.get(at));
        if (comparison != null) {
            int operator = at++;
            Expression right = simpleExpression();
            comparison.setLeftExpression(left);
            comparison.setRightExpression(right);
            return linkAfter(comparison, JJTREGULARCONDITION, operator, left);
        }
        int k = kind();
        if (k == K_IS) {
            at++;
            IsNullExpression isNull = new IsNullExpression();
            if (kind() == K_NOT) {
                at++;
                isNull.setNot(true);
            }
            expect(K_NULL);
            isNull.setLeftExpression(left);
            return isNull;
        }
        int opening = at;
        boolean not = k == K_NOT;
        if (not) {
            at++;
            k = kind();
        }
        if (k == K_IN) {
            at++;
            if (!is("(")) {
                throw giveUp();
            }
            Expression list = primary();
            InExpression in = new InExpression(left, list).withOldOracleJoinSyntax(0).withNot(not).setGlobal(false);
            return linkAfter(in, JJTINEXPRESSION, opening, left);
        }
        if (k == K_BETWEEN) {
            at++;
            Between between = new Between();
            if (not) {
                between.setNot(true);
            }
            Expression start = simpleExpression();
            expect(K_AND);
            Expression stop = simpleExpression();
            between.setLeftExpression(left);
            between.setBetweenExpressionStart(start);
            between.setBetweenExpressionEnd(stop);
            return between;
        }
        if (k == K_LIKE || k == K_ILIKE) {
            LikeExpression like = new LikeExpression();
            if (not) {
                like.setNot(true);
            }
            like.setLikeKeyWord(LikeExpression.KeyWord.from(tokens.get(at++).image));
            Expression right = simpleExpression();
            like.setLeftExpression(left);
            like.setRightExpression(right);
            return linkAfter(like, JJTLIKEEXPRESSION, opening, left);
        }
        if (not) {
            throw giveUp();
        }
        return left;
    }

    /**
     * The grammar's SimpleExpression: a primary, then its operator loop: {@code * / %} bind tighter than
     * {@code + - ||}, which bind alike, all from the left.
     */
    private Expression simpleExpression() {
        return arithmetic(false);
    }

    private Expression arithmetic(boolean tight) {
        Expression left = tight ? primary() : arithmetic(true);
        for (BinaryExpression operation = operator(tight); operation != null; operation = operator(tight)) {
            at++;
            operation.setLeftExpression(left);
            operation.setRightExpression(tight ? primary() : arithmetic(true));
            left = operation;
        }
        return left;
    }

    /** The arithmetic operation the next token starts at that binding ({@code tight}: * / %), or null. */
    private BinaryExpression operator(boolean tight) {
        if (tight) {
            return is("*") ? new Multiplication() : is("/") ? new Division() : is("%") ? new Modulo() : null;
        }
        return is("+") ? new Addition() : is("-") ? new Subtraction() : kind() == OP_CONCAT ? new Concat() : null;
    }

    /** The grammar's ExpressionList: conditions, each linked as an Expression. */
    private ExpressionList<Expression> expressionList() {
        ExpressionList<Expression> list = expressions();
        if (list.size() == 1 && list.get(0) instanceof ExpressionList) {
            throw giveUp(); // the grammar unwraps a lone bracketed list
        }
        return list;
    }

    /**
     * A call's arguments, the grammar's ExpressionList as well, which gives a lone bracketed argument
     * ({@code sum((a + b) / 2)} has none, {@code sum((a + b))} has one) as a bracketed list of what it holds.
     */
    @SuppressWarnings("unchecked")
    private ExpressionList<Expression> arguments() {
        ExpressionList<Expression> list = expressions();
        if (list.size() == 1 && list.get(0) instanceof ParenthesedExpressionList) {
            return new ParenthesedExpressionList<>((ExpressionList<Expression>) list.get(0));
        }
        return list;
    }

    private ExpressionList<Expression> expressions() {
        ExpressionList<Expression> list = new ExpressionList<>();
        list.add(expression());
        while (is(",")) {
            at++;
            list.add(expression());
        }
        return list;
    }

    private Expression primary() {
        int first = at;
        char sign = 0;
        if (is("+") || is("-")) {
            sign = tokens.get(at++).image.charAt(0);
        }
        if (at >= end) {
            throw giveUp();
        }
        Token t = tokens.get(at);
        Expression value;
        switch (t.kind) {
            case K_NULL -> {
                at++;
                value = new NullValue();
            }
            case S_LONG -> {
                at++;
                value = new LongValue(t.image);
            }
            case S_DOUBLE -> {
                at++;
                value = new DoubleValue(t.image);
            }
            case S_CHAR_LITERAL -> {
                at++;
                value = new StringValue(t.image);
            }
            case K_TRUE, K_FALSE -> {
                at++;
                value = new BooleanValue(t.image);
            }
            case K_DATETIMELITERAL -> {
                at++;
                Token literal = expect(S_CHAR_LITERAL);
                DateTimeLiteralExpression dateTime = new DateTimeLiteralExpression();
                dateTime.setType(DateTimeLiteralExpression.DateTime.from(t.image));
                dateTime.setValue(literal.image);
                value = dateTime;
            }
            case K_CASE -> value = caseExpression();
            case K_CAST -> value = cast();
            case K_INTERVAL -> value = interval();
            case K_STRING_FUNCTION_NAME -> value = stringFunction();
            case S_IDENTIFIER, S_QUOTED_IDENTIFIER, K_ISOLATION, K_COUNT, K_MAX, K_MIN, K_DATE_LITERAL, K_COALESCE,
                 K_GROUPING, K_ROLLUP, K_NAME, K_TYPE, K_DATA, K_LEVEL ->
                    value = nameOrCall();
            default -> value = punctuated(t);
        }
        if (!followsPrimary() || value instanceof AllColumns && kind() == K_EXCEPT) {
            throw giveUp(); // * EXCEPT (a, b) names the columns left out
        }
        if (sign != 0) {
            Expression signed = link(new SignedExpression(sign, value), JJTPRIMARYEXPRESSION, first);
            if (value instanceof StringValue string) {
                string.setASTNode(signed.getASTNode()); // the grammar links a string to its primary's node, sign and all
            }
            return signed;
        }
        return link(value, JJTPRIMARYEXPRESSION, first);
    }

    private Expression punctuated(Token t) {
        if (t.kind == S_IDENTIFIER || t.kind == S_QUOTED_IDENTIFIER || t.kind == S_CHAR_LITERAL) {
            throw giveUp();
        }
        switch (t.image) {
            case "?" -> {
                at++;
                return new JdbcParameter(++parameters, false, t.image);
            }
            case "*" -> {
                at++;
                return new AllColumns(null, null, null);
            }
            case "(" -> {
                if (queryInBrackets()) {
                    return parenthesedSelect();
                }
                if (bracketsBeforeQuery()) {
                    throw giveUp(); // ((SELECT ...) UNION ...) is a bracketed query to the grammar, ((SELECT ...)) not
                }
                at++;
                ExpressionList<Expression> list = new ExpressionList<>();
                list.add(expression());
                while (is(",")) {
                    at++;
                    list.add(expression());
                }
                expect(")");
                return list.size() == 1 ? new ParenthesedExpressionList<>(list.get(0))
                        : new ParenthesedExpressionList<>(list);
            }
            default -> throw giveUp();
        }
    }

    /** A column, {@code t.*}, or a call. */
    private Expression nameOrCall() {
        int first = at;
        int k = kind();
        boolean keyword = isCallName(k); // only calls
        if (isKeywordName(k) && (at + 1 >= end || pathOrCallFollows(at))) {
            throw giveUp();
        }
        List<String> names = new ArrayList<>(3);
        List<String> dots = new ArrayList<>(2);
        names.add(tokens.get(at++).image);
        while (is(".") && !keyword) {
            if (at + 1 < end && is(at + 1, "*")) {
                Table table = link(NameNodes.table(names), JJTTABLENAME, first);
                at += 2;
                return new AllTableColumns(table, new AllColumns(null, null, null));
            }
            at++;
            // a date part after the dot is the column's last name (TPC-DS: t_s_firstyear.year), not a call
            boolean datePart = kind() == K_DATE_LITERAL && !pathOrCallFollows(at);
            if (!isName(kind()) && !isKeywordName(kind()) && !datePart) {
                throw giveUp();
            }
            names.add(tokens.get(at++).image);
            dots.add(".");
        }
        if (is("(")) {
            Function call = call(first, names);
            return kind() == K_OVER ? window(call) : call;
        }
        if (k == K_DATE_LITERAL) {
            return new DateUnitExpression(names.get(0)); // MONTH alone: the grammar's DateUnitExpression
        }
        if (keyword) {
            throw giveUp();
        }
        return link(NameNodes.column(names, dots), JJTCOLUMN, first);
    }

    /** True when the token after {@code i} goes on a path or opens a call: {@code (} or {@code .}. */
    private boolean pathOrCallFollows(int i) {
        return i + 1 < end && (is(i + 1, "(") || is(i + 1, "."));
    }

    /** Whether token {@code i} is the sign {@code punctuation} (one of {@link FastLexer}'s), read by kind first. */
    private boolean is(int i, String punctuation) {
        Token t = tokens.get(i);
        return FastLexer.isSignKind(t.kind) && t.image.equals(punctuation);
    }

    private Function call(int first, List<String> names) {
        at++; // (
        Function function = new Function();
        ExpressionList<Expression> arguments = null;
        if (!is(")")) {
            if (kind() == K_DISTINCT) {
                at++;
                function.setDistinct(true);
            }
            arguments = arguments();
        }
        expect(")");
        function.setEscaped(false);
        function.setParameters(arguments);
        function.setName(names);
        function.setKeep(null);
        return link(function, JJTFUNCTION, first);
    }

    /**
     * {@code f(...) OVER ([PARTITION BY ...] [ORDER BY ...] [ROWS | RANGE frame])}; a window's name, FILTER, a
     * frame's EXCLUDE: the grammar's.
     */
    private AnalyticExpression window(Function function) {
        AnalyticExpression analytic = new AnalyticExpression(function);
        at++; // OVER
        analytic.setType(AnalyticType.OVER);
        expect("(");
        WindowDefinition window = new WindowDefinition();
        ExpressionList<Expression> partition = null;
        if (kind() == K_PARTITION) {
            at++;
            expect(K_BY);
            if (is("(")) {
                throw giveUp();
            }
            partition = expressionList();
        }
        List<OrderByElement> order = kind() == K_ORDER ? orderByElements() : null;
        window.setPartitionExpressionList(partition, false);
        window.setOrderByElements(order);
        window.setWindowElement(kind() == K_ROWS || kind() == K_RANGE ? windowElement() : null);
        expect(")");
        analytic.setWindowDefinition(window);
        analytic.setFilterExpression(null);
        return analytic;
    }

    /**
     * The grammar's CastExpression, {@code CAST(x AS type)}, with a type of one word and its precision and scale
     * ({@code DATE}, {@code DECIMAL(7, 2)}, {@code STRING}); a type of several words, ROW (...), FORMAT: the
     * grammar's.
     */
    private CastExpression cast() {
        CastExpression cast = new CastExpression(tokens.get(at++).image);
        expect("(");
        Expression value = simpleExpression();
        expect(K_AS);
        cast.setUseCastKeyword(true);
        cast.setColDataType(dataType());
        expect(")");
        cast.setLeftExpression(value);
        return cast;
    }

    /** The grammar's DataType, as ColDataType takes it first: a type word and {@code (precision [, scale])}. */
    private ColDataType dataType() {
        int k = kind();
        if (k != DATA_TYPE && k != K_DATETIMELITERAL && k != K_STRING) {
            throw giveUp();
        }
        String type = tokens.get(at++).image;
        int precision = -1;
        int scale = -1;
        if (is("(")) {
            at++;
            precision = Integer.parseInt(expect(S_LONG).image); // too large: refused, as the grammar fails on it
            if (is(",")) {
                at++;
                scale = Integer.parseInt(expect(S_LONG).image);
            }
            expect(")");
        }
        if (!is(")")) {
            throw giveUp(); // a second type word, an array's brackets, CHARACTER SET, FORMAT
        }
        return new ColDataType(type, precision, scale);
    }

    /**
     * The grammar's IntervalExpression with a number or a string ({@code INTERVAL 30 days}, as Databricks writes
     * it), and the unit after it: any identifier, taken as a name, or one of DAY, MONTH, ..., taken as an
     * IntervalQualifier of that field alone; a precision or {@code DAY TO SECOND} after the field, and an expression
     * after INTERVAL, are the grammar's.
     */
    private IntervalExpression interval() {
        at++; // INTERVAL
        int k = kind();
        if (k != S_LONG && k != S_DOUBLE && k != S_CHAR_LITERAL) {
            throw giveUp();
        }
        IntervalExpression interval = new IntervalExpression();
        interval.setParameter(tokens.get(at++).image);
        if (kind() == S_IDENTIFIER) {
            interval.setIntervalType(tokens.get(at++).image);
        } else if (kind() == K_DATE_LITERAL) {
            String field = tokens.get(at++).image;
            if (is("(") || kind() == K_TO) {
                throw giveUp();
            }
            interval.setIntervalQualifier(new IntervalQualifier(field, null, null, null));
        }
        return interval;
    }

    /**
     * {@code substr(...)}, {@code substring(...)}: a token of their own to JSqlParser's lexer, read by its
     * SpecialStringFunctionWithNamedParameters as a plain call, unless a FROM, IN or PLACING stands before the first
     * comma (substring(x FROM 2)), which this reader leaves to the grammar.
     */
    private Expression stringFunction() {
        int first = at;
        String name = tokens.get(at).image;
        if (!name.equalsIgnoreCase("SUBSTR") && !name.equalsIgnoreCase("SUBSTRING") || at + 2 >= end
                || !is(at + 1, "(") || namedArgumentsAhead(at + 2)) {
            throw giveUp();
        }
        at += 2;
        ExpressionList<Expression> arguments = arguments();
        expect(")");
        Function function = new Function().withName(name).withNamedParameters(null).withParameters(arguments);
        link(function, JJTFUNCTION, first);
        return kind() == K_OVER ? window(function) : function;
    }

    /** The grammar's isNamedExprListAhead from {@code i}: FROM, IN or PLACING outside brackets before a comma. */
    private boolean namedArgumentsAhead(int i) {
        int depth = 0;
        for (; i < end; i++) {
            Token t = tokens.get(i);
            if (is(i, "(")) {
                depth++;
            } else if (is(i, ")")) {
                if (depth-- == 0) {
                    return false;
                }
            } else if (depth == 0 && (t.kind == K_FROM || t.kind == K_IN || t.kind == K_PLACING)) {
                return true;
            } else if (depth == 0 && is(i, ",")) {
                return false;
            }
        }
        return true; // unclosed: the grammar's
    }

    /** The grammar's WindowElement: ROWS or RANGE, and one bound or BETWEEN two. */
    private WindowElement windowElement() {
        WindowElement element = new WindowElement();
        element.setType(tokens.get(at++).kind == K_ROWS ? WindowElement.Type.ROWS : WindowElement.Type.RANGE);
        if (kind() == K_BETWEEN) {
            at++;
            WindowRange range = new WindowRange();
            element.setRange(range);
            range.setStart(windowOffset());
            expect(K_AND);
            range.setEnd(windowOffset());
        } else {
            element.setOffset(windowOffset());
        }
        return element;
    }

    /** The grammar's WindowOffset: UNBOUNDED, CURRENT ROW, or a simple expression, and PRECEDING or FOLLOWING. */
    private WindowOffset windowOffset() {
        WindowOffset offset = new WindowOffset();
        if (kind() == K_CURRENT && at + 1 < end && tokens.get(at + 1).kind == K_ROW) {
            at += 2;
            offset.setType(WindowOffset.Type.CURRENT);
            return offset;
        }
        if (kind() == K_UNBOUNDED) {
            at++;
        } else {
            offset.setType(WindowOffset.Type.EXPR);
            offset.setExpression(simpleExpression());
        }
        int k = kind();
        if (k != K_PRECEDING && k != K_FOLLOWING) {
            throw giveUp();
        }
        at++;
        offset.setType(k == K_PRECEDING ? WindowOffset.Type.PRECEDING : WindowOffset.Type.FOLLOWING);
        return offset;
    }

    private CaseExpression caseExpression() {
        at++; // CASE
        Expression switchExpression = kind() == K_WHEN ? null : expression();
        List<WhenClause> clauses = new ArrayList<>();
        do {
            expect(K_WHEN);
            WhenClause clause = new WhenClause();
            clause.setWhenExpression(expression());
            expect(K_THEN);
            clause.setThenExpression(simpleExpression());
            clauses.add(clause);
        } while (kind() == K_WHEN);
        Expression otherwise = null;
        if (kind() == K_ELSE) {
            at++;
            otherwise = simpleExpression();
        }
        expect(K_END);
        CaseExpression expression = new CaseExpression();
        expression.setSwitchExpression(switchExpression);
        expression.setWhenClauses(clauses);
        expression.setElseExpression(otherwise);
        return expression;
    }

    /**
     * Whether the token after a primary is one this reader handles there; any other (a cast, a subscript, an
     * interval unit, OVER, COLLATE, AT TIME ZONE, ...) continues the primary in the grammar.
     */
    private boolean followsPrimary() {
        if (at >= end) {
            return true;
        }
        Token t = tokens.get(at);
        switch (t.kind) {
            case S_IDENTIFIER, S_QUOTED_IDENTIFIER, K_ISOLATION, K_AND, K_OR, K_AS, K_FROM, K_WHERE, K_GROUP,
                 K_HAVING, K_ORDER, K_LIMIT, K_JOIN, K_INNER, K_LEFT, K_RIGHT, K_FULL, K_ON, K_ASC, K_DESC, K_WHEN,
                 K_THEN, K_ELSE, K_END, K_IS, K_IN, K_NOT, K_BETWEEN, K_LIKE, K_ILIKE, OP_CONCAT,
                 OP_GREATERTHANEQUALS, OP_MINORTHANEQUALS, OP_NOTEQUALSSTANDARD, OP_NOTEQUALSBANG, K_UNION,
                 K_INTERSECT, K_EXCEPT, K_ROWS, K_RANGE, K_PRECEDING, K_FOLLOWING, K_NULLS:
                return true;
            case S_CHAR_LITERAL:
                return false;
            default:
                return switch (t.image) {
                    case ",", ")", "+", "-", "*", "/", "%", "=", "<", ">" -> true;
                    default -> false;
                };
        }
    }
}
