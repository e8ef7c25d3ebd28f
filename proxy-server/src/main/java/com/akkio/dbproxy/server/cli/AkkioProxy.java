package com.akkio.dbproxy.server.cli;

import com.akkio.dbproxy.server.config.ConfigException;
import com.akkio.dbproxy.server.config.StartupException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code akkio-proxy} command line. */
@Command(name = "akkio-proxy", mixinStandardHelpOptions = true, versionProvider = AkkioProxy.Version.class,
        description = "Governed SQL gateway in front of Databricks SQL Warehouses and DuckDB.",
        subcommands = {ServeCommand.class, CheckCommand.class, TestPolicyCommand.class, GrantsCommand.class, HashSecretCommand.class})
public final class AkkioProxy {
    /** Exit code for usage and configuration errors. */
    static final int USAGE_ERROR = 2;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new AkkioProxy());
        cl.setExitCodeExceptionMapper(e -> USAGE_ERROR);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof UsageError || ex instanceof ConfigException || ex instanceof StartupException) {
                cmd.getErr().println("error: " + ex.getMessage());
                cmd.getErr().flush();
                return USAGE_ERROR;
            }
            throw ex;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return USAGE_ERROR;
        });
        return cl;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = AkkioProxy.class.getPackage().getImplementationVersion();
            return new String[] {"akkio-proxy " + (v == null ? "development build" : v)};
        }
    }
}
