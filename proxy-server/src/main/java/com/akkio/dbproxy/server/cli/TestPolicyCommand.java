package com.akkio.dbproxy.server.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import com.akkio.dbproxy.server.config.ConfigException;
import com.akkio.dbproxy.server.policytest.PolicyTestSuite;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Runs policy test files like a test runner: a line per failure, a summary, exit 1 when any case fails. */
@Command(name = "test-policy", mixinStandardHelpOptions = true,
        description = "Run policy test files (expected decisions for statements).")
final class TestPolicyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "policy test files (YAML)")
    List<Path> files;

    @Option(names = "--config", description = "proxy configuration to test instead of each file's own config:")
    Path config;

    @Option(names = {"-v", "--verbose"}, description = "print passing cases too")
    boolean verbose;

    @Override
    public Integer call() throws ConfigException {
        var out = spec.commandLine().getOut();
        int passed = 0;
        int failed = 0;
        for (Path file : files) {
            PolicyTestSuite suite = PolicyTestSuite.load(file, config);
            for (PolicyTestSuite.Result r : run(suite)) {
                if (r.passed()) {
                    passed++;
                    if (verbose) {
                        out.println("PASS " + r.testCase().id());
                    }
                } else {
                    failed++;
                    out.println("FAIL " + r.testCase().id() + " [" + r.testCase().tenant() + "] "
                            + r.testCase().sql().replace('\n', ' '));
                    r.failures().forEach(f -> out.println("    " + f));
                }
            }
        }
        out.println("policy-tests: " + passed + " passed, " + failed + " failed");
        out.flush();
        return failed == 0 ? 0 : 1;
    }

    /**
     * The suite's cases, with the backends' columns for tenants with row filters or masks, as the server has them;
     * a case's {@code result} runs its query on the tenant's backend.
     */
    private static List<PolicyTestSuite.Result> run(PolicyTestSuite suite) throws ConfigException {
        try (com.akkio.dbproxy.server.Backends.Offline backends =
                     com.akkio.dbproxy.server.Backends.columnsFor(suite.config())) {
            return suite.run(backends::query);
        } catch (java.io.IOException | java.sql.SQLException e) {
            throw new ConfigException(suite.file() + ": cannot read the columns of filtered or masked tables: "
                    + e.getMessage());
        }
    }
}
