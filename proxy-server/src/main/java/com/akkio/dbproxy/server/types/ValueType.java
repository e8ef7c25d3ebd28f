package com.akkio.dbproxy.server.types;

import java.sql.Types;
import java.util.Locale;

import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.SqlType;

/**
 * The proxy's one vocabulary of result types: each backend's type mapping ({@code backend.TypeMapping}) says which of
 * these a backend column is and hands over its values as this kind's Java class; each front end encodes them for its
 * protocol. A result's types travel from the backend to the front ends inside Avatica's {@code Signature} (the core's
 * API speaks Avatica's value types), as the JDBC type, the type name and the precision and scale that the Avatica
 * client shows; {@link #of(ColumnMetaData)} reads them back. Kinds that share a JDBC type are told apart by their
 * names, which the constructor holds to: of {@code OTHER}, {@code UUID} and {@code INTERVAL…}, anything else is JSON;
 * of {@code VARCHAR}, {@code BIT} is a bit string, anything else text.
 *
 * @param name      the backend's own name of the type (what clients show), e.g. {@code HUGEINT},
 *                  {@code STRUCT(id INTEGER, n VARCHAR)}, {@code TIMESTAMP_NS}
 * @param precision digits of a DECIMAL; fractional digits of seconds of a time or timestamp; 0 where it means nothing
 * @param element   the type of an ARRAY's elements, else null
 */
public record ValueType(Kind kind, String name, int precision, int scale, ValueType element) {

    /**
     * What a value is, with the Java class the core hands front ends and the JDBC type Avatica clients see. Avatica
     * cannot carry some of these classes as they are; its front end encodes them (see {@code AvaticaValues}).
     */
    public enum Kind {
        /** {@link Boolean}. */
        BOOLEAN(Types.BOOLEAN),
        /** {@link Byte}. */
        TINYINT(Types.TINYINT),
        /** {@link Short}. */
        SMALLINT(Types.SMALLINT),
        /** {@link Integer}. */
        INTEGER(Types.INTEGER),
        /** {@link Long}. */
        BIGINT(Types.BIGINT),
        /** {@link java.math.BigDecimal}, also for integers wider than a long (HUGEINT, UBIGINT). */
        DECIMAL(Types.DECIMAL),
        /** {@link Float}. */
        REAL(Types.REAL),
        /** {@link Double}. */
        DOUBLE(Types.DOUBLE),
        /** {@link String}. */
        TEXT(Types.VARCHAR),
        /** {@code byte[]}. */
        BINARY(Types.VARBINARY),
        /** {@link java.time.LocalDate}. */
        DATE(Types.DATE),
        /** {@link java.time.LocalTime}, to the nanosecond the backend gives. */
        TIME(Types.TIME),
        /** {@link java.time.OffsetTime}. */
        TIME_TZ(Types.TIME_WITH_TIMEZONE),
        /** {@link java.time.LocalDateTime}, to the nanosecond the backend gives. */
        TIMESTAMP(Types.TIMESTAMP),
        /** {@link java.time.OffsetDateTime}: an instant. */
        TIMESTAMP_TZ(Types.TIMESTAMP_WITH_TIMEZONE),
        /**
         * A bit string as {@link String} of 0s and 1s; VARCHAR, not OTHER: jpype.dbapi2 reads an OTHER column named
         * BIT with getBoolean.
         */
        BITS(Types.VARCHAR),
        /**
         * The backend's {@link String} text of an interval: DuckDB's {@code 1 year 2 months 3 days 04:05:06.789}.
         * Text on every front end: PostgreSQL clients such as pgjdbc look the {@code interval} type up in
         * {@code pg_catalog}, which no tenant may read, and psycopg2 would count a month as 30 days.
         */
        INTERVAL(Types.OTHER),
        /** {@link java.util.UUID}. */
        UUID(Types.OTHER),
        /** A JSON document as its {@link String} text: JSON itself, and STRUCT, MAP, UNION, VARIANT values. */
        JSON(Types.OTHER),
        /** {@link java.util.List} of the element type's values. */
        ARRAY(Types.ARRAY),
        /** Only nulls (Databricks' VOID). */
        NULL(Types.NULL);

        public final int jdbcType;

        Kind(int jdbcType) {
            this.jdbcType = jdbcType;
        }
    }

    public ValueType {
        if (byName(kind.jdbcType, name) != kind && (kind.jdbcType == Types.OTHER || kind.jdbcType == Types.VARCHAR)) {
            throw new IllegalArgumentException("a " + kind + " column cannot be called " + name
                    + ": front ends tell OTHER and VARCHAR columns apart by name");
        }
        if ((kind == Kind.ARRAY) != (element != null)) {
            throw new IllegalArgumentException("an ARRAY, and only an ARRAY, has an element type");
        }
    }

    public static ValueType of(Kind kind, String name) {
        return new ValueType(kind, name, 0, 0, null);
    }

    /**
     * A DECIMAL, with the precision and scale its name gives ({@code DECIMAL(18,3)}), else those given (a driver's
     * for a bare {@code DECIMAL}).
     */
    public static ValueType decimal(String name, int precision, int scale) {
        int open = name.indexOf('(');
        if (open > 0) {
            String[] ps = name.substring(open + 1, name.indexOf(')')).split(",");
            precision = Integer.parseInt(ps[0].strip());
            scale = ps.length > 1 ? Integer.parseInt(ps[1].strip()) : 0;
        }
        return new ValueType(Kind.DECIMAL, name, precision, scale, null);
    }

    public static ValueType array(String name, ValueType element) {
        return new ValueType(Kind.ARRAY, name, 0, 0, element);
    }

    /** The kind of a VARCHAR or OTHER column called {@code name}. */
    private static Kind byName(int jdbcType, String name) {
        String n = name.toUpperCase(Locale.ROOT);
        if (jdbcType == Types.VARCHAR) {
            return n.equals("BIT") ? Kind.BITS : Kind.TEXT;
        }
        if (n.equals("UUID")) {
            return Kind.UUID;
        }
        return n.startsWith("INTERVAL") ? Kind.INTERVAL : Kind.JSON;
    }

    /** The type a front end finds in a result's signature. */
    public static ValueType of(ColumnMetaData column) {
        return of(column.type, column.precision, column.scale);
    }

    private static ValueType of(ColumnMetaData.AvaticaType type, int precision, int scale) {
        if (type instanceof ColumnMetaData.ArrayType array) {
            return array(type.name, of(array.getComponent(), 0, 0));
        }
        Kind kind = switch (type.id) {
            case Types.BOOLEAN, Types.BIT -> Kind.BOOLEAN;
            case Types.TINYINT -> Kind.TINYINT;
            case Types.SMALLINT -> Kind.SMALLINT;
            case Types.INTEGER -> Kind.INTEGER;
            case Types.BIGINT -> Kind.BIGINT;
            case Types.DECIMAL, Types.NUMERIC -> Kind.DECIMAL;
            case Types.REAL -> Kind.REAL;
            case Types.FLOAT, Types.DOUBLE -> Kind.DOUBLE;
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> Kind.BINARY;
            case Types.DATE -> Kind.DATE;
            case Types.TIME -> Kind.TIME;
            case Types.TIME_WITH_TIMEZONE -> Kind.TIME_TZ;
            case Types.TIMESTAMP -> Kind.TIMESTAMP;
            case Types.TIMESTAMP_WITH_TIMEZONE -> Kind.TIMESTAMP_TZ;
            case Types.OTHER, Types.VARCHAR -> byName(type.id, type.name);
            case Types.NULL -> Kind.NULL;
            default -> Kind.TEXT;
        };
        return new ValueType(kind, type.name, precision, scale, null);
    }

    /** The type as an Avatica column type. */
    public ColumnMetaData.AvaticaType avaticaType() {
        return avaticaType(false);
    }

    /**
     * As a column, or as an array's component: components have boxed reps (as {@code JdbcResultSet} gives them),
     * since Avatica's client builds a primitive Java array for a primitive one, and a null element cannot go there.
     */
    private ColumnMetaData.AvaticaType avaticaType(boolean component) {
        if (kind == Kind.ARRAY) {
            return ColumnMetaData.array(element.avaticaType(true), name, ColumnMetaData.Rep.ARRAY);
        }
        return ColumnMetaData.scalar(kind.jdbcType, name, rep(component));
    }

    /**
     * How Avatica's client reads the column's values: as {@code JdbcMeta} declares them (primitive reps for
     * fixed-width types, dates and times as numbers), text for the zoned types, whose values travel as text.
     */
    private ColumnMetaData.Rep rep(boolean component) {
        return switch (kind) {
            case TIME_TZ, TIMESTAMP_TZ -> ColumnMetaData.Rep.STRING;
            case INTERVAL, UUID, JSON, NULL -> ColumnMetaData.Rep.OBJECT;
            default -> component ? ColumnMetaData.Rep.serialRepOf(SqlType.valueOf(kind.jdbcType))
                    : ColumnMetaData.Rep.of(SqlType.valueOf(kind.jdbcType).internal);
        };
    }

    /** The class Avatica's client returns from {@code getObject} (JDBC's {@code getColumnClassName}). */
    public String javaClassName() {
        return switch (kind) {
            case BOOLEAN -> Boolean.class.getName();
            case TINYINT -> Byte.class.getName();
            case SMALLINT -> Short.class.getName();
            case INTEGER -> Integer.class.getName();
            case BIGINT -> Long.class.getName();
            case DECIMAL -> java.math.BigDecimal.class.getName();
            case REAL -> Float.class.getName();
            case DOUBLE -> Double.class.getName();
            case BINARY -> byte[].class.getName();
            case DATE -> java.sql.Date.class.getName();
            case TIME -> java.sql.Time.class.getName();
            case TIME_TZ -> java.time.OffsetTime.class.getName();
            case TIMESTAMP -> java.sql.Timestamp.class.getName();
            case TIMESTAMP_TZ -> java.time.OffsetDateTime.class.getName();
            case ARRAY -> java.sql.Array.class.getName();
            case NULL -> Object.class.getName();
            default -> String.class.getName();
        };
    }

    /** Whether the Avatica client treats the column as signed; everything numeric here is. */
    public boolean signed() {
        return switch (kind) {
            case TINYINT, SMALLINT, INTEGER, BIGINT, DECIMAL, REAL, DOUBLE -> true;
            default -> false;
        };
    }
}
