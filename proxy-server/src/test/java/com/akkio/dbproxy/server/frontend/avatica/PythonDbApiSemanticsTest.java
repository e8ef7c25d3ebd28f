package com.akkio.dbproxy.server.frontend.avatica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.akkio.dbproxy.server.ClientProcess;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SlowTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Python runtime's path through the client jar, jpype.dbapi2 and JayDeBeApi, both of which prepare every
 * statement: a denial keeps its code name and rule, parameters in the SELECT list keep their type and value
 * ({@code src/test/python/dbapi_semantics_check.py}).
 */
@LiveServerTest
@SlowTest
class PythonDbApiSemanticsTest {
    @RegisterExtension
    static final DemoProxyExtension proxy = DemoProxyExtension.of(DemoProxy.builder().unthrottled());

    @Test
    void jpypeDbapi2AndJayDeBeApiSeeTheDenialsRuleAndTypedParameters() throws Exception {
        Path jaydebeapi = Path.of("../../shared/clients/jaydebeapi");
        assumeTrue(Files.isDirectory(jaydebeapi), "JayDeBeApi is not at " + jaydebeapi.toAbsolutePath());
        assumeTrue(ClientProcess.pythonHas("jpype.dbapi2"), "python3-jpype not installed");
        assertThat(ClientProcess.CLIENT_JAR).as("the shaded client jar is built before the server's tests").exists();
        ClientProcess.Result result = ClientProcess.run(List.of(ClientProcess.PYTHON.toString(),
                        "src/test/python/dbapi_semantics_check.py", ClientProcess.CLIENT_JAR.toAbsolutePath().toString(),
                        Integer.toString(proxy.get().server.port())),
                Map.of("PYTHONPATH", jaydebeapi.toAbsolutePath().normalize().toString()), Duration.ofSeconds(180));
        assertThat(result.finished()).as("python finished in time").isTrue();
        assertThat(result.output()).contains("dbapi-semantics: 5 passed, 0 failed");
        assertThat(result.exitCode()).isZero();
    }
}
