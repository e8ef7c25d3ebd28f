package com.akkio.dbproxy.server.frontend.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import com.akkio.dbproxy.server.governed.ProxyError;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.Test;

/** Every handler of the producer ends through {@link FlightErrors#answering}: its failure reaches the client once. */
class FlightErrorsTest {
    private final List<FlightRuntimeException> failures = new ArrayList<>();

    @Test
    void aProxyErrorEndsTheListenerWithItsSqlStateVendorCodeAndMessage() {
        ProxyError unknown = ProxyError.unknownHandle("statement");
        FlightErrors.answering(failures::add, () -> {
            throw unknown;
        });
        assertThat(failures).singleElement().satisfies(f -> {
            assertThat(f.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND);
            assertThat(f.status().description()).isEqualTo(unknown.getMessage()).contains("UNKNOWN_HANDLE");
            assertThat(f.status().metadata().get(FlightErrors.SQLSTATE)).isEqualTo("08003");
            assertThat(f.status().metadata().get(FlightErrors.VENDOR_CODE))
                    .isEqualTo(Integer.toString(unknown.getErrorCode()));
        });
    }

    @Test
    void anUnexpectedFailureReachesTheClientAsAnInternalErrorWithoutItsDetail() {
        FlightErrors.answering(failures::add, () -> {
            throw new IllegalStateException("backend jdbc:duckdb:/secret/path exploded");
        });
        assertThat(failures).singleElement().satisfies(f -> {
            assertThat(f.status().code()).isEqualTo(FlightStatusCode.INTERNAL);
            assertThat(f.status().description()).doesNotContain("secret").contains("see its log");
        });
    }

    @Test
    void aHandlerThatAnswersIsNeverFailed() {
        List<String> answered = new ArrayList<>();
        FlightErrors.answering(failures::add, () -> answered.add("done"));
        assertThat(answered).containsExactly("done");
        assertThat(failures).isEmpty();
    }

    @Test
    void aHandlerThatAnswersWithAValueThrowsItsFailureAsTheFlightError() {
        assertThat(FlightErrors.answering(() -> 42)).isEqualTo(42);
        assertThatThrownBy(() -> FlightErrors.answering(() -> {
            throw ProxyError.unknownHandle("statement");
        })).isInstanceOfSatisfying(FlightRuntimeException.class,
                f -> assertThat(f.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND));
    }
}
