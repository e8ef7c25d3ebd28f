package com.akkio.dbproxy.server.frontend.avatica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.governed.LogContext;
import com.akkio.dbproxy.server.governed.StatementGate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** A server log line written inside a governed call names the tenant and the request, as its audit record does. */
class LogContextTest {

    @Test
    @LiveServerTest
    void aLogLineInsideAGovernedCallCarriesTheTenantAndTheRequestId(@TempDir Path dir) throws Exception {
        Files.createSymbolicLink(dir.resolve("audit.jsonl"), Path.of("/dev/full")); // the gate logs its refusal
        List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                events.add(event);
            }
        };
        Logger gateLog = (Logger) LoggerFactory.getLogger(StatementGate.class);
        capture.start();
        gateLog.addAppender(capture);
        try (DemoProxy proxy = DemoProxy.builder().start(dir); Connection acme = proxy.acme();
             Statement s = acme.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT 1")).isInstanceOf(SQLException.class);
        } finally {
            gateLog.detachAppender(capture);
        }
        assertThat(events).filteredOn(e -> e.getFormattedMessage().startsWith("audit log write failed"))
                .isNotEmpty().allSatisfy(e -> {
                    assertThat(e.getMDCPropertyMap()).containsEntry(LogContext.TENANT, "acme");
                    assertThat(e.getMDCPropertyMap().get(LogContext.REQUEST_ID))
                            .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
                });
    }

    @Test
    void leavingAGovernedCallRestoresWhatTheThreadHadBefore() {
        MDC.put(LogContext.TENANT, "outer");
        try {
            try (LogContext inner = LogContext.enter("acme", "r-1")) {
                assertThat(MDC.get(LogContext.TENANT)).isEqualTo("acme");
                assertThat(MDC.get(LogContext.REQUEST_ID)).isEqualTo("r-1");
            }
            assertThat(MDC.get(LogContext.TENANT)).isEqualTo("outer");
            assertThat(MDC.get(LogContext.REQUEST_ID)).isNull();
        } finally {
            MDC.clear();
        }
    }
}
