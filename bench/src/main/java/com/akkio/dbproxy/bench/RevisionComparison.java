package com.akkio.dbproxy.bench;

import java.util.List;

/**
 * This tree's proxy against the proxy built from another revision, side by side in one run: whether a change made
 * the proxy faster or slower, on a machine where two runs of {@link ServerLoadHarness} an hour apart can differ by
 * more than the change does. Both proxies serve {@code bench/conf/proxy.yaml} from child JVMs; after the harness's
 * warm-up, {@code SELECT 1} (1 client) and the analytics query (8 clients: the same text, every text new with a
 * new literal, every text a new shape) alternate between them round by round, each going first in turn. Run by
 * {@code bench/compare.sh}, which builds the other revision.
 *
 * <p>Usage, from the repository root: {@code java -cp bench/target/akkio-bench.jar
 * com.akkio.dbproxy.bench.RevisionComparison <the other build's akkio-bench.jar> [seconds per throughput step]}
 */
public final class RevisionComparison {
    private RevisionComparison() {
    }

    public static void main(String[] args) throws Exception {
        String baseClassPath = args[0];
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        ServerLoadHarness.Results r = new ServerLoadHarness.Results(List.of("base", "this"));
        try (ServerProcess base = ServerProcess.startFrom(baseClassPath, "base-proxy", "protobuf", "proxy",
                ServerLoadHarness.PROXY_CONFIG);
             ServerProcess current = ServerProcess.startFrom(System.getProperty("java.class.path"), "this-proxy",
                     "protobuf", "proxy", ServerLoadHarness.PROXY_CONFIG)) {
            List<ServerLoadHarness.Target> targets = List.of(
                    ServerLoadHarness.Target.proxy("proxy of the base revision", "base", base),
                    ServerLoadHarness.Target.proxy("proxy of this tree", "this", current));
            ServerLoadHarness.warmUp(targets, r);
            ServerLoadHarness.select1(targets, r);
            ServerLoadHarness.analytics(targets, 8, seconds, t -> ServerLoadHarness.SAME_TEXT, "analytics", r);
            ServerLoadHarness.analytics(targets, 8, seconds, t -> ServerLoadHarness.NEW_TEXT, "analytics_new_text",
                    r);
            ServerLoadHarness.analytics(targets, 8, seconds, t -> ServerLoadHarness.NEW_SHAPE,
                    "analytics_new_shape", r);
        }
        System.out.println(ServerLoadHarness.Machine.describe());
        System.out.print(r.compare("base", "this"));
    }
}
