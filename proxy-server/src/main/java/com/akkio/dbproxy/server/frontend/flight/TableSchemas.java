package com.akkio.dbproxy.server.frontend.flight;

import java.sql.DatabaseMetaData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.akkio.dbproxy.server.types.ValueType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;

/**
 * The Arrow schema of each table in a getColumns answer of the core (already filtered to the tenant's tables, under
 * logical names), keyed by catalog, schema and table: what GetTables with {@code include_schema} returns, and what
 * Flight SQL JDBC clients answer {@code DatabaseMetaData.getColumns} from. Columns are the types results of them have.
 */
final class TableSchemas {
    private TableSchemas() {
    }

    static Map<List<Object>, Schema> of(Meta.MetaResultSet columns) {
        Map<List<Object>, List<Field>> fields = new LinkedHashMap<>();
        for (Object o : columns.firstFrame.rows) {
            Object[] r = (Object[]) o;
            // getColumns: TABLE_CAT, TABLE_SCHEM, TABLE_NAME, COLUMN_NAME, DATA_TYPE, TYPE_NAME, COLUMN_SIZE,
            // BUFFER_LENGTH, DECIMAL_DIGITS
            int jdbcType = ((Number) r[4]).intValue();
            String typeName = (String) r[5];
            int precision = r[6] == null ? 0 : ((Number) r[6]).intValue();
            int scale = r[8] == null ? 0 : ((Number) r[8]).intValue();
            ValueType type = ValueType.of(new ColumnMetaData(0, false, true, true, false,
                    DatabaseMetaData.columnNullable, true, 0, (String) r[3], (String) r[3], null, precision, scale,
                    null, null, ColumnMetaData.scalar(jdbcType, typeName, ColumnMetaData.Rep.OBJECT), true, false,
                    false, null));
            fields.computeIfAbsent(List.of(r[0], r[1], r[2]), k -> new ArrayList<>())
                    .add(ArrowTypes.field((String) r[3], type));
        }
        Map<List<Object>, Schema> out = new LinkedHashMap<>();
        fields.forEach((table, f) -> out.put(table, new Schema(f)));
        return out;
    }
}
