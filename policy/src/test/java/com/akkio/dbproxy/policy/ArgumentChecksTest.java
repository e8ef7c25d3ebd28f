package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The public boundary of the policy module: a null argument is a programming error, refused at once with a
 * {@link NullPointerException} naming it; an unusable value is refused with an {@link IllegalArgumentException}.
 * SQL text is the exception: it comes from clients, and every text, null included, gets a {@link Decision}.
 */
class ArgumentChecksTest {
    private final PolicyEngine engine = new PolicyEngine();

    private static TenantPolicy.Builder minimal() {
        return TenantPolicy.builder("t").defaultCatalog("c").defaultSchema("s").read("c.s.*")
                .allow(StatementKind.QUERY);
    }

    // ---------------------------------------------------------------- PolicyEngine

    @Test
    void decideRejectsANullPolicy() {
        assertThatNullPointerException().isThrownBy(() -> engine.decide(null, "SELECT 1")).withMessage("policy");
    }

    @Test
    void decideRejectsANullPolicyEvenWithoutSql() {
        assertThatNullPointerException().isThrownBy(() -> engine.decide(null, null)).withMessage("policy");
    }

    @Test
    void decideDeniesNullSqlAsAnEmptyStatementRatherThanThrowing() {
        Decision d = engine.decide(minimal().build(), null);
        assertThat(d).isInstanceOf(Decision.Denied.class);
        assertThat(d.code()).isEqualTo(DenyCode.EMPTY_STATEMENT);
        assertThat(d.kind()).isNull();
    }

    @Test
    void decideAnswersOddTextWithADecision() {
        TenantPolicy p = minimal().build();
        for (String sql : List.of("", " ", "\0", ";", "'", "\"", "`", "${x}", "\uD800", "SELECT", "(((", ")")) {
            assertThat(engine.decide(p, sql)).as("%s", sql).isNotNull();
        }
    }

    @Test
    void decisionsRejectsANullSource() {
        assertThatNullPointerException().isThrownBy(() -> engine.decisions(null)).withMessage("source");
    }

    // ---------------------------------------------------------------- TenantPolicy

    @Test
    void builderRejectsANullTenant() {
        assertThatNullPointerException().isThrownBy(() -> TenantPolicy.builder(null)).withMessage("tenant");
    }

    @Test
    void builderSettersRejectNullsNamingTheArgument() {
        TenantPolicy.Builder b = minimal();
        assertThatNullPointerException().isThrownBy(() -> b.dialect(null)).withMessage("dialect");
        assertThatNullPointerException().isThrownBy(() -> b.defaultCatalog(null)).withMessage("physicalCatalog");
        assertThatNullPointerException().isThrownBy(() -> b.defaultSchema(null)).withMessage("schema");
        assertThatNullPointerException().isThrownBy(() -> b.mapCatalog(null, "c")).withMessage("logical");
        assertThatNullPointerException().isThrownBy(() -> b.mapCatalog("main", null)).withMessage("physical");
        assertThatNullPointerException().isThrownBy(() -> b.read(null)).withMessage("text");
        assertThatNullPointerException().isThrownBy(() -> b.write(null)).withMessage("text");
        assertThatNullPointerException().isThrownBy(() -> b.denyFunction(null)).withMessage("nameOrGlob");
        assertThatNullPointerException().isThrownBy(() -> b.tableFunctions(null)).withMessage("names");
    }

    @Test
    void builderRejectsNullStatementKinds() {
        TenantPolicy.Builder b = minimal();
        assertThatNullPointerException().isThrownBy(() -> b.allow((StatementKind[]) null)).withMessage("kinds");
        assertThatNullPointerException().isThrownBy(() -> b.allow((List<StatementKind>) null)).withMessage("kinds");
        assertThatNullPointerException().isThrownBy(() -> b.allow(StatementKind.QUERY, null))
                .withMessage("kinds has a null element");
        assertThatNullPointerException().isThrownBy(() -> b.allow(Arrays.asList(StatementKind.DESCRIBE, null)))
                .withMessage("kinds has a null element");
    }

    @Test
    void aRejectedTableFunctionListLeavesTheEarlierOneInPlace() {
        TenantPolicy.Builder b = minimal().tableFunctions(List.of("Range"));
        assertThatNullPointerException().isThrownBy(() -> b.tableFunctions(Arrays.asList("unnest", null)))
                .withMessage("names has a null element");
        assertThat(b.build().functionRules().tableFunctions()).isEqualTo(Set.of("range"));
    }

    @Test
    void buildStillRejectsBlankOrMissingValuesByTheirPolicyFileKey() {
        assertThatIllegalArgumentException().isThrownBy(() -> TenantPolicy.builder(" ").defaultCatalog("c")
                .defaultSchema("s").build()).withMessage("tenant is required");
        assertThatIllegalArgumentException().isThrownBy(() -> TenantPolicy.builder("t").defaultSchema("s").build())
                .withMessage("catalog is required");
        assertThatIllegalArgumentException().isThrownBy(() -> minimal().defaultSchema("").build())
                .withMessage("default_schema is required");
        assertThatIllegalArgumentException().isThrownBy(() -> minimal().maxRows(0).build())
                .withMessageContaining("max_rows");
        assertThatIllegalArgumentException().isThrownBy(() -> minimal().maxSqlLength(15).build())
                .withMessageContaining("max_sql_length");
        assertThatIllegalArgumentException().isThrownBy(() -> minimal().decisionCache(-1).build())
                .withMessageContaining("must not be negative");
        assertThatIllegalArgumentException().isThrownBy(() -> minimal().denyFunction(" ").build())
                .withMessage("denied_functions has an empty entry");
        assertThatIllegalArgumentException().isThrownBy(() -> minimal().allow(StatementKind.SESSION).build())
                .withMessageContaining("cannot be allowed");
    }

    @Test
    void canReadAndCanWriteRejectANullName() {
        TenantPolicy p = TenantPolicy.builder("t").defaultCatalog("c").defaultSchema("s").build();
        assertThatNullPointerException().isThrownBy(() -> p.canRead(null)).withMessage("name");
        assertThatNullPointerException().isThrownBy(() -> p.canWrite(null)).withMessage("name");
    }

    // ---------------------------------------------------------------- names and patterns

    @Test
    void objectPatternParseRejectsNullAndMalformedText() {
        assertThatNullPointerException().isThrownBy(() -> ObjectPattern.parse(null)).withMessage("text");
        assertThatIllegalArgumentException().isThrownBy(() -> ObjectPattern.parse("a.b"))
                .withMessageContaining("three parts");
        assertThatIllegalArgumentException().isThrownBy(() -> ObjectPattern.parse("a.b.c.d"))
                .withMessageContaining("three parts");
        assertThatIllegalArgumentException().isThrownBy(() -> ObjectPattern.parse("a.*."))
                .withMessageContaining("empty part");
    }

    @Test
    void qualifiedNameRejectsANullPartNamingIt() {
        assertThatNullPointerException().isThrownBy(() -> new QualifiedName(null, "s", "t")).withMessage("catalog");
        assertThatNullPointerException().isThrownBy(() -> new QualifiedName("c", null, "t")).withMessage("schema");
        assertThatNullPointerException().isThrownBy(() -> new QualifiedName("c", "s", null)).withMessage("table");
    }

    @Test
    void qualifiedNameTakesAnEmptyPartAsMetadataReportsIt() {
        assertThat(new QualifiedName("C", "", "T")).hasToString("c..t");
    }

    @Test
    void qualifiedNameParseRejectsNullAndMalformedText() {
        assertThatNullPointerException().isThrownBy(() -> QualifiedName.parse(null)).withMessage("dotted");
        assertThatIllegalArgumentException().isThrownBy(() -> QualifiedName.parse("a.b"))
                .withMessageContaining("expected catalog.schema.table");
        assertThatIllegalArgumentException().isThrownBy(() -> QualifiedName.parse("a..b"))
                .withMessageContaining("empty part");
        assertThatIllegalArgumentException().isThrownBy(() -> QualifiedName.parse("a.b."))
                .withMessageContaining("empty part");
    }

    @Test
    void dialectQuoteRejectsNull() {
        assertThatNullPointerException().isThrownBy(() -> Dialect.DUCKDB.quote((String) null))
                .withMessage("identifier");
        assertThatNullPointerException().isThrownBy(() -> Dialect.DATABRICKS.quote((QualifiedName) null))
                .withMessage("name");
    }

    @Test
    void statementKindFromConfigNameRejectsNullAndUnknownNames() {
        assertThatNullPointerException().isThrownBy(() -> StatementKind.fromConfigName(null)).withMessage("name");
        assertThatIllegalArgumentException().isThrownBy(() -> StatementKind.fromConfigName("select"))
                .withMessageContaining("unknown statement kind 'select'");
        assertThat(StatementKind.fromConfigName(" Create_Table ")).isEqualTo(StatementKind.CREATE_TABLE);
    }
}
