package com.akkio.dbproxy.server.frontend.flight;

import java.util.Arrays;
import java.util.List;

/**
 * A row of the core's type list (JDBC's getTypeInfo columns, in order) as Flight SQL's GetXdbcTypeInfo row: the
 * same columns in the same order, but the create parameters as a list and a trailing interval precision.
 */
final class XdbcTypes {
    private XdbcTypes() {
    }

    static Object[] row(Object[] jdbc) {
        Object[] row = Arrays.copyOf(jdbc, 19);
        row[5] = jdbc[5] == null ? null : List.of(((String) jdbc[5]).split(","));
        // SQL_DATA_TYPE is unused in JDBC (null); Flight SQL requires it: the type's own code
        row[15] = jdbc[15] != null ? jdbc[15] : jdbc[1];
        row[18] = null;
        return row;
    }
}
