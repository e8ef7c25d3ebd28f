package com.akkio.dbproxy.server.frontend.pgwire;

import java.util.List;

import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.remote.TypedValue;

/** A bound statement (Bind) and, once executed, its open result, which Execute sends a row limit at a time. */
final class PgPortal {
    final PgPreparedStatement statement;
    final List<TypedValue> parameters;
    final short[] resultFormats;
    /** The open result, once executed. */
    ResultStream result;
    /** All rows sent (or a command completed): a further Execute completes with no rows. */
    boolean finished;

    PgPortal(PgPreparedStatement statement, List<TypedValue> parameters, short[] resultFormats) {
        this.statement = statement;
        this.parameters = parameters;
        this.resultFormats = resultFormats;
    }

    /**
     * Closes the open result, which means closing its backend statement: the statement's next execution prepares
     * again.
     */
    void close(GovernedCalls calls) {
        if (result != null && !result.done()) {
            Meta.StatementHandle h = result.handle;
            if (statement.handle == h) {
                statement.handle = null;
            }
            calls.closeQuietly(h);
        }
        finished = true;
        if (statement.active == this) {
            statement.active = null;
        }
    }
}
