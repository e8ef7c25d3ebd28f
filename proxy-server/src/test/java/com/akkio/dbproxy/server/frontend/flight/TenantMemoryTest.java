package com.akkio.dbproxy.server.frontend.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every Flight stream of a tenant allocates under the tenant's own allocator: together they stay within
 * {@code tenant_memory_mb}, each within {@code stream_memory_mb}, and another tenant's room is untouched.
 */
class TenantMemoryTest {
    private static final long MIB = 1 << 20;
    private final BufferAllocator root = new RootAllocator();
    /** 3 MiB a tenant, 2 MiB a stream. */
    private final TenantMemory memory = new TenantMemory(root, 3 * MIB, 2 * MIB);

    /** Closing the server's allocator fails if any byte a test took is still held. */
    @AfterEach
    void everyByteIsGivenBack() {
        memory.close();
        root.close();
    }

    @Test
    void aTenantsStreamsTogetherStopAtTheTenantLimitWhileAnotherTenantsStreamStillAllocates() {
        try (BufferAllocator first = memory.stream("acme", "one");
             BufferAllocator second = memory.stream("acme", "two");
             BufferAllocator other = memory.stream("globex", "one");
             ArrowBuf a = first.buffer(2 * MIB)) {
            assertThatThrownBy(() -> second.buffer(2 * MIB)).isInstanceOf(OutOfMemoryException.class);
            ProxyError e = memory.exceeded(second, "a batch of the result");
            assertThat(e.code()).isEqualTo(ErrorCode.TENANT_MEMORY_EXCEEDED);
            assertThat(e.getSqlState()).isEqualTo("54000");
            assertThat(e.getMessage()).contains("3 MB").contains("rule: server.flight.tenant_memory_mb");
            try (ArrowBuf b = other.buffer(2 * MIB)) {
                assertThat(memory.tenant("globex").getAllocatedMemory()).isEqualTo(2 * MIB);
            }
            assertThat(memory.tenant("acme").getAllocatedMemory()).isEqualTo(2 * MIB);
        }
    }

    @Test
    void oneStreamOverItsOwnLimitIsToldTheStreamLimit() {
        try (TenantMemory roomy = new TenantMemory(root, 8 * MIB, 2 * MIB);
             BufferAllocator stream = roomy.stream("acme", "one")) {
            assertThatThrownBy(() -> stream.buffer(4 * MIB)).isInstanceOf(OutOfMemoryException.class);
            ProxyError e = roomy.exceeded(stream, "a batch of the result");
            assertThat(e.code()).isEqualTo(ErrorCode.STREAM_MEMORY_EXCEEDED);
            assertThat(e.getMessage()).contains("2 MB").contains("rule: server.flight.stream_memory_mb");
        }
    }

    @Test
    void heldBytesCountExactlyUnderBothLimitsAndAHoldThatDoesNotFitHoldsNothing() {
        try (BufferAllocator first = memory.stream("acme", "one");
             BufferAllocator second = memory.stream("acme", "two");
             TenantMemory.Held one = new TenantMemory.Held(first);
             TenantMemory.Held two = new TenantMemory.Held(second)) {
            assertThat(one.hold(MIB + 12_344)).isTrue();
            assertThat(first.getAllocatedMemory()).isEqualTo(MIB + 12_344);
            assertThat(memory.tenant("acme").getAllocatedMemory()).isEqualTo(MIB + 12_344);
            assertThat(two.hold(2 * MIB)).isFalse();
            assertThat(second.getAllocatedMemory()).isZero();
            assertThat(two.hold(MIB)).isTrue();
            assertThat(one.hold(10)).isTrue();
            assertThat(memory.tenant("acme").getAllocatedMemory()).as("10 bytes held as 16").isEqualTo(MIB + 16);
            one.close();
            two.close();
            assertThat(memory.tenant("acme").getAllocatedMemory()).isZero();
        }
    }
}
