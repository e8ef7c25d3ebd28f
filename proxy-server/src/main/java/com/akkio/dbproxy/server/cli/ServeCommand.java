package com.akkio.dbproxy.server.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import com.akkio.dbproxy.server.ProxyServer;
import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.ProxyConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Starts the proxy and runs until SIGTERM or SIGINT, then shuts down gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Start the proxy (the embedded demo by default).")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--config", defaultValue = "conf/proxy.yaml", description = "proxy configuration (default: ${DEFAULT-VALUE})")
    Path config;

    @Option(names = "--port", description = "listen port (overrides server.port; 0 picks a free one)")
    Integer port;

    @Option(names = "--exit-when-ready", description = "stop once ready (after the warm-up): the training run that"
            + " writes an AppCDS archive at package time (java -XX:ArchiveClassesAtExit=...)")
    boolean exitWhenReady;

    @Override
    public Integer call() throws Exception {
        ProxyConfig cfg = ConfigLoader.load(config);
        if (port != null && (port < 0 || port > 65535)) {
            throw new UsageError("--port must be between 0 and 65535");
        }
        ProxyServer server = ProxyServer.start(cfg, port);
        if (exitWhenReady) {
            while (!server.warmUpState().ended()) {
                Thread.sleep(50);
            }
            server.close();
            return 0;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("error during shutdown: " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }, "akkio-shutdown"));
        stopped.await();
        return 0;
    }
}
