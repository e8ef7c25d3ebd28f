package com.akkio.dbproxy.server.frontend.flight;

import java.util.function.Consumer;
import java.util.function.Supplier;

import com.akkio.dbproxy.server.governed.ProxyError;
import io.grpc.Metadata;
import io.grpc.Status;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.ErrorFlightMetadata;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's errors as Flight statuses: the status code follows the SQLState's class, the description is the
 * message every front end sends ({@code OBJECT_NOT_READABLE: … (rule: …)}), and the SQLState and vendor code ride in
 * the trailers ({@code x-akkio-sqlstate}, {@code x-akkio-vendor-code}) for clients that read them. Anything else is an
 * internal error whose detail stays in the server's log.
 */
final class FlightErrors {
    private static final Logger LOG = LoggerFactory.getLogger(FlightErrors.class);
    static final String SQLSTATE = "x-akkio-sqlstate";
    static final String VENDOR_CODE = "x-akkio-vendor-code";

    private FlightErrors() {
    }

    /** {@code e} as the exception a Flight producer throws or hands to a listener. */
    static FlightRuntimeException flight(Throwable e) {
        if (e instanceof FlightRuntimeException f) {
            return f;
        }
        if (e instanceof ProxyError p) {
            ErrorFlightMetadata metadata = new ErrorFlightMetadata();
            metadata.insert(SQLSTATE, p.getSqlState());
            metadata.insert(VENDOR_CODE, Integer.toString(p.getErrorCode()));
            return new CallStatus(code(p.getSqlState()), null, p.getMessage(), metadata).toRuntimeException();
        }
        LOG.warn("a Flight call failed unexpectedly", e);
        return CallStatus.INTERNAL.withDescription("internal error in the proxy (see its log)").toRuntimeException();
    }

    /**
     * Runs a handler that answers through a listener: whatever it throws ends that listener with the Flight error
     * ({@code listener::error}, {@code listener::onError}), so no handler lets an exception reach gRPC raw or leaves
     * its client waiting for an answer that never comes.
     */
    static void answering(Consumer<? super FlightRuntimeException> fail, Runnable handler) {
        try {
            handler.run();
        } catch (RuntimeException e) {
            fail.accept(flight(e));
        }
    }

    /** Runs a handler that answers with a value; what it throws leaves as the Flight error. */
    static <T> T answering(Supplier<T> handler) {
        try {
            return handler.get();
        } catch (RuntimeException e) {
            throw flight(e);
        }
    }

    /** The gRPC status of a refusal made before Flight saw the call (authentication). */
    static Status status(ProxyError e) {
        return Status.fromCode(org.apache.arrow.flight.grpc.StatusUtils.toGrpcStatusCode(code(e.getSqlState())))
                .withDescription(e.getMessage());
    }

    static Metadata trailers(ProxyError e) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of(SQLSTATE, Metadata.ASCII_STRING_MARSHALLER), e.getSqlState());
        m.put(Metadata.Key.of(VENDOR_CODE, Metadata.ASCII_STRING_MARSHALLER), Integer.toString(e.getErrorCode()));
        return m;
    }

    /** By SQLState class: what a Flight client can act on without reading the message. */
    static FlightStatusCode code(String sqlState) {
        String s = sqlState == null ? "" : sqlState;
        if (s.startsWith("28")) {
            return FlightStatusCode.UNAUTHENTICATED;
        }
        if (s.startsWith("42")) {
            return FlightStatusCode.UNAUTHORIZED;
        }
        if (s.equals("08003") || s.equals("26000") || s.equals("34000")) {
            return FlightStatusCode.NOT_FOUND;
        }
        if (s.startsWith("53") || s.startsWith("54")) {
            return FlightStatusCode.RESOURCE_EXHAUSTED;
        }
        if (s.equals("57014")) {
            return FlightStatusCode.CANCELLED;
        }
        if (s.startsWith("0A")) {
            return FlightStatusCode.UNIMPLEMENTED;
        }
        if (s.startsWith("08")) {
            return FlightStatusCode.UNAVAILABLE;
        }
        return FlightStatusCode.INVALID_ARGUMENT;
    }
}
