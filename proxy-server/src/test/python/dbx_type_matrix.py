"""Every value of the Databricks emulator's type_zoo, through the real databricks-jdbc driver and the proxy, as the
Python clients users run return it: jpype.dbapi2 (the client jar), JayDeBeApi 1.2.3 (the same jar, its own
converters), psycopg2 (the PostgreSQL front end) and pandas.read_sql over both. Each value is compared with DuckDB's
own text of it (the emulator runs on DuckDB), its Python type and the pandas dtype with README's table "Databricks
over both front ends".

usage: python3 dbx_type_matrix.py AKKIO_JDBC_JAR AVATICA_PORT PG_PORT README
Prints one line per check and 'dbx-types: N passed, M failed'; exits non-zero on any failure.
"""
import datetime
import re
import sys
import warnings

import jaydebeapi
import jpype
import jpype.dbapi2 as dbapi2
import pandas as pd
import psycopg2
import sqlalchemy

import zoo
from checks import check, finish
from readme import table_after

JAR, AVATICA_PORT, PG_PORT, README = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
TABLE = table_after(README, "### Databricks over both front ends")

# how each column's values are compared with DuckDB's text of them (zoo.same's kinds, and two of Databricks' own)
COLUMNS = {
    "c_tinyint": "integer", "c_smallint": "integer", "c_int": "integer", "c_bigint": "integer",
    "c_decimal": "decimal", "c_float": "real", "c_double": "double", "c_boolean": "boolean", "c_string": "text",
    "c_date": "date", "c_timestamp": "timestamp", "c_timestamp_ltz": "instant", "c_binary": "blob",
    "c_interval_ym": "interval", "c_interval_dt": "interval", "c_variant": "json_text", "c_void": "integer",
    "c_array": "json_value", "c_array_string": "json_value", "c_array_struct": "json_value",
    "c_struct": "json_value", "c_map": "json_value", "c_map_int": "json_value", "c_array_array": "json_value",
    "c_struct_nested": "json_value", "c_array_map": "json_value", "c_struct_map": "json_value",
    "c_map_nested": "json_value",
}

_INTERVAL_PART = re.compile(r"(-?\d+) (years?|mons?|months?|days?)|(-?)(\d+):(\d\d):(\d\d)(\.\d+)?")


def interval_literal(duck_text, type_text):
    """DuckDB's text of an interval as databricks-jdbc writes a Databricks interval: '1-2' (years-months),
    '1 02:03:04.500000000' (days hours:minutes:seconds.nanos), a minus sign in front when negative."""
    months, nanos = 0, 0
    for m in _INTERVAL_PART.finditer(duck_text):
        if m.group(1):
            n = int(m.group(1))
            unit = m.group(2)[0]
            if unit == "y":
                months += 12 * n
            elif unit == "m":
                months += n
            else:
                nanos += n * 86_400 * 10 ** 9
        else:
            t = ((int(m.group(4)) * 60 + int(m.group(5))) * 60 + int(m.group(6))) * 10 ** 9 \
                + int(((m.group(7) or ".")[1:] + "000000000")[:9])
            nanos += -t if m.group(3) else t
    if type_text.upper().startswith(("INTERVAL YEAR", "INTERVAL MONTH")):
        return ("-" if months < 0 else "") + f"{abs(months) // 12}-{abs(months) % 12}"
    a = abs(nanos)
    seconds = a // 10 ** 9
    return (("-" if nanos < 0 else "") + f"{seconds // 86_400} {seconds // 3600 % 24:02d}:{seconds // 60 % 60:02d}:"
            f"{seconds % 60:02d}.{a % 10 ** 9:09d}")


def same(column, value, text, json_text, timestamp_unit, json_parsed=False):
    kind = COLUMNS[column]
    if kind == "interval":
        return value == interval_literal(text, TABLE[column]["Databricks type"])
    if kind == "instant":
        # a Databricks TIMESTAMP is an instant the driver hands over as the session time zone's (UTC) wall clock
        local, offset = zoo.split_offset(text)
        aware = zoo.parse_timestamp(local).replace(tzinfo=datetime.timezone(datetime.timedelta(seconds=offset)))
        wall = aware.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value == zoo.truncate(wall, timestamp_unit)
    return zoo.same(kind, value, text, json_text, timestamp_unit=timestamp_unit, json_parsed=json_parsed)


def column_arrives(cursor, column, client, timestamp_unit, json_parsed=False):
    """Every row of one column as the client's cursor returns it, against DuckDB's text of it."""
    expected = zoo.oracle(cursor, column)
    cursor.execute(f"SELECT id, {column} FROM type_zoo ORDER BY id")
    rows = cursor.fetchall()
    assert len(rows) == len(expected), rows
    wanted = TABLE[column][client]
    for row_id, value in rows:
        text, json_text = expected[int(row_id)]
        if text is None or value is None:
            assert text is None and value is None, (row_id, text, value)
            continue
        assert (isinstance(value, jpype.JArray(jpype.JByte)) if wanted == "byte[]"
                else zoo.python_type_is(value, wanted, jpype.JClass)), f"row {row_id}: {type(value)} is not {wanted}"
        if isinstance(value, str) and COLUMNS[column] in ("date", "timestamp", "instant"):
            # JayDeBeApi's text of a date or timestamp
            value = (datetime.date if COLUMNS[column] == "date" else datetime.datetime).fromisoformat(value)
        assert same(column, value, text, json_text, timestamp_unit, json_parsed), \
            f"row {row_id}: expected {text!r}, got {value!r}"


def dtypes_are(df, readme_column):
    wrong = {c: str(df[c].dtype) for c in COLUMNS if str(df[c].dtype) != TABLE[c][readme_column]}
    assert not wrong, wrong


def pandas_over_the_client_jar(conn):
    with warnings.catch_warnings():
        # pandas warns that only SQLAlchemy and sqlite3 connections are tested; DB-API 2 ones work
        warnings.simplefilter("ignore", UserWarning)
        dtypes_are(pd.read_sql("SELECT * FROM type_zoo ORDER BY id", conn), "pandas (client jar)")


def pandas_over_postgres():
    engine = sqlalchemy.create_engine(f"postgresql+psycopg2://acme:acme-secret@127.0.0.1:{PG_PORT}/main")
    with warnings.catch_warnings():
        # SQLAlchemy's has_table probe reads pg_catalog, which the policy denies; pandas then runs the query
        warnings.simplefilter("ignore")
        dtypes_are(pd.read_sql("SELECT * FROM type_zoo ORDER BY id", engine), "pandas (PostgreSQL)")


jpype.startJVM(classpath=[JAR, "/usr/share/java/org.jpype.jar"], convertStrings=True)
URL = f"jdbc:akkio://127.0.0.1:{AVATICA_PORT}"

jpype_conn = dbapi2.connect(URL, driver="com.akkio.dbproxy.jdbc.Driver",
                            driver_args={"user": "acme", "password": "acme-secret"})
for name in COLUMNS:
    # Avatica carries timestamps in milliseconds
    check(f"jpype.dbapi2: {name}", column_arrives, jpype_conn.cursor(), name, "JPype", "milli")
check("pandas over the client jar: dtypes", pandas_over_the_client_jar, jpype_conn)
jpype_conn.close()

# JayDeBeApi starts no JVM of its own when one runs; it loads the driver from the class path above
jdba_conn = jaydebeapi.connect("com.akkio.dbproxy.jdbc.Driver", URL, ["acme", "acme-secret"], [JAR])
for name in COLUMNS:
    check(f"jaydebeapi: {name}", column_arrives, jdba_conn.cursor(), name, "JayDeBeApi", "milli")
jdba_conn.close()

pg_conn = psycopg2.connect(host="127.0.0.1", port=PG_PORT, user="acme", password="acme-secret", dbname="main")
for name in COLUMNS:
    check(f"psycopg2: {name}", column_arrives, pg_conn.cursor(), name, "psycopg2", "micro", True)
check("pandas over PostgreSQL: dtypes", pandas_over_postgres)
pg_conn.close()

finish("dbx-types")
