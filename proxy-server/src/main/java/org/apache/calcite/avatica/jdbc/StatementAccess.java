package org.apache.calcite.avatica.jdbc;

import java.sql.Statement;

/**
 * The proxy's one class in Avatica's package. {@code com.akkio.dbproxy.server.backend.BackendMeta} builds results
 * itself (each value typed by the backend's type mapping) where {@link JdbcMeta} would build them with
 * {@code JdbcResultSet}, so it runs the backend statement itself too; which JDBC statement an Avatica statement id
 * holds is package-private in {@link StatementInfo}. This reads it rather than keeping a second map of statements,
 * so an Avatica upgrade that changes it fails the build.
 */
public final class StatementAccess {
    private StatementAccess() {
    }

    /** The backend statement behind an Avatica statement (a {@code PreparedStatement} for a prepared one). */
    public static Statement of(StatementInfo info) {
        return info.statement;
    }
}
