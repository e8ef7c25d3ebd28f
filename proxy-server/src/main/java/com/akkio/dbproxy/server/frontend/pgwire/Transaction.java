package com.akkio.dbproxy.server.frontend.pgwire;

import java.util.ArrayList;
import java.util.List;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;

/**
 * The client's transaction block of one session: its {@link TransactionState} and what ends with it (portals,
 * cursors without HOLD). The block is a transaction of the backend connection ({@link LocalStatements}).
 */
final class Transaction {
    private TransactionState state = TransactionState.IDLE;
    private final List<Runnable> endings = new ArrayList<>();

    TransactionState state() {
        return state;
    }

    /** Runs {@code ending} each time the block ends (COMMIT or ROLLBACK), in the order they were added. */
    void onEnd(Runnable ending) {
        endings.add(ending);
    }

    /** BEGIN outside a block. */
    void begin() {
        state = TransactionState.IN_BLOCK;
    }

    /** COMMIT or ROLLBACK. */
    void end() {
        state = TransactionState.IDLE;
        endings.forEach(Runnable::run);
    }

    /** A statement failed: a block is failed until it ends. */
    void failed() {
        if (state == TransactionState.IN_BLOCK) {
            state = TransactionState.FAILED;
        }
    }

    void refuseIfFailed() {
        if (state == TransactionState.FAILED) {
            throw ProxyError.of(ErrorCode.TRANSACTION_ABORTED, "current transaction is aborted, commands ignored"
                    + " until end of transaction block");
        }
    }
}
