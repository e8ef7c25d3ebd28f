package com.akkio.dbproxy.server.frontend.pgwire;

/**
 * Where the client's transaction block stands, as ReadyForQuery tells it. The proxy runs every statement in
 * autocommit mode: a block is only the client's view, kept so that drivers see the answers they expect.
 */
enum TransactionState {
    /** Not in a block ('I'). */
    IDLE('I'),
    /** In a block (BEGIN ran; 'T'). */
    IN_BLOCK('T'),
    /** In a block in which a statement failed: everything but COMMIT and ROLLBACK is refused ('E'). */
    FAILED('E');

    /** The ReadyForQuery status byte. */
    final char status;

    TransactionState(char status) {
        this.status = status;
    }
}
