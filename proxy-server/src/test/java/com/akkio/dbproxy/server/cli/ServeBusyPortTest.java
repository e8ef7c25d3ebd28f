package com.akkio.dbproxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

import com.akkio.dbproxy.server.DemoConfig;
import com.akkio.dbproxy.server.LiveServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code serve} on a port another process holds says so in one line naming the port and the key, and exits 2. */
@LiveServerTest
class ServeBusyPortTest {

    @Test
    void aBusyPortIsOneClearLineNotAStackTrace(@TempDir Path dir) throws Exception {
        Path config = DemoConfig.copy(dir);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            StringWriter err = new StringWriter();
            CommandLine cl = AkkioProxy.commandLine();
            cl.setErr(new PrintWriter(err));
            int code = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> cl.execute("serve", "--config",
                    config.toString(), "--port", Integer.toString(taken.getLocalPort())));
            assertThat(code).isEqualTo(2);
            assertThat(err.toString().strip()).isEqualTo("error: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + " (server.port): Address already in use");
        }
    }

    @Test
    void aBusyFlightPortNamesItsKey(@TempDir Path dir) throws Exception {
        Path config = DemoConfig.copy(dir);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            java.nio.file.Files.writeString(config, java.nio.file.Files.readString(config).replace(
                    "flight: { enabled: true, port: 0 }", "flight: { enabled: true, port: " + taken.getLocalPort()
                            + " }"));
            StringWriter err = new StringWriter();
            CommandLine cl = AkkioProxy.commandLine();
            cl.setErr(new PrintWriter(err));
            int code = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> cl.execute("serve", "--config",
                    config.toString(), "--port", "0"));
            assertThat(code).isEqualTo(2);
            assertThat(err.toString().strip()).startsWith("error: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + " (server.flight.port)");
        }
    }
}
