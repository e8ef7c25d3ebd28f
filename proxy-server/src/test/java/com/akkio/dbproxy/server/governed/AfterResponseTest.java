package com.akkio.dbproxy.server.governed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import com.akkio.dbproxy.server.frontend.avatica.RequestGate;
import org.apache.calcite.avatica.remote.Service;
import org.apache.calcite.avatica.server.AvaticaHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.AbstractHandler;
import org.junit.jupiter.api.Test;

/** Work deferred by a request (a statement's complete audit record) runs once the client has its response. */
class AfterResponseTest {

    /** Stands in for Avatica's handler: answers, and defers a task the way {@code GovernedMeta} defers a record. */
    private static final class Answering extends AbstractHandler implements AvaticaHandler {
        private final Runnable deferred;

        Answering(Runnable deferred) {
            this.deferred = deferred;
        }

        @Override
        public void handle(String target, Request baseRequest, HttpServletRequest request,
                           HttpServletResponse response) throws IOException {
            AfterResponse.run(deferred);
            response.setContentType("application/octet-stream");
            response.getOutputStream().write("answer".getBytes(StandardCharsets.UTF_8));
            baseRequest.setHandled(true);
        }

        @Override
        public void setServerRpcMetadata(Service.RpcMetadataResponse metadata) {
        }
    }

    @Test
    void theClientHasItsResponseWhileTheDeferredWorkIsStillWaiting() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch ran = new CountDownLatch(1);
        Server jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        jetty.addConnector(connector);
        jetty.setHandler(new RequestGate(new Answering(() -> {
            try {
                release.await(10, TimeUnit.SECONDS); // had the response waited for this, the client would too
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ran.countDown();
        }), 1024, false));
        jetty.start();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/"))
                    .header("Authorization", "Basic YWNtZTphY21lLXNlY3JldA==")
                    .POST(HttpRequest.BodyPublishers.ofString("request")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("answer");
            assertThat(ran.getCount()).as("the deferred work has not run yet").isEqualTo(1);
            release.countDown();
            assertThat(ran.await(10, TimeUnit.SECONDS)).as("the deferred work ran after the response").isTrue();
        } finally {
            jetty.stop();
        }
    }

    @Test
    void aFailingTaskDoesNotKeepTheOthersFromRunning() {
        List<String> done = new ArrayList<>();
        try (AfterResponse ignored = AfterResponse.open()) {
            AfterResponse.run(() -> done.add("first"));
            AfterResponse.run(() -> {
                throw new IllegalStateException("audit log write failed");
            });
            AfterResponse.run(() -> done.add("third"));
            assertThat(done).as("nothing runs before the response").isEmpty();
        }
        assertThat(done).containsExactly("first", "third");
    }

    @Test
    void outsideAResponseATaskRunsAtOnce() {
        List<String> done = new ArrayList<>();
        AfterResponse.run(() -> done.add("now"));
        assertThat(done).containsExactly("now");
    }
}
