"""Every value of the demo's type_zoo through the client jar as jpype.dbapi2 (the DB-API bridge JayDeBeApi is built
on) and pandas.read_sql return it, over a protobuf and a JSON server: each compared with DuckDB's own text of it, its
Python type and pandas dtype with README's table "DuckDB over Avatica".

usage: python3 jpype_type_matrix.py AKKIO_JDBC_JAR PROTOBUF_PORT JSON_PORT README
Prints one line per check and 'jpype-types: N passed, M failed'; exits non-zero on any failure.
"""
import datetime
import decimal
import sys
import warnings

import jpype
import jpype.dbapi2 as dbapi2
import pandas as pd

import zoo
from checks import check, finish
from readme import table_after

JAR, PROTOBUF_PORT, JSON_PORT, README = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
TABLE = table_after(README, "### DuckDB over Avatica (the client jar, protobuf and JSON alike)")

jpype.startJVM(classpath=[JAR, "/usr/share/java/org.jpype.jar"], convertStrings=True)
PYTHON_TYPES = {"int": int, "Decimal": decimal.Decimal, "float": float, "bool": bool, "str": str, "bytes": bytes,
                "date": datetime.date, "time": datetime.time, "datetime": datetime.datetime}


def python_type_is(value, name):
    if name.startswith("java."):
        return isinstance(value, jpype.JClass(name))
    wanted = PYTHON_TYPES[name]
    if wanted is datetime.date and isinstance(value, datetime.datetime):
        return False
    return isinstance(value, wanted) and (wanted is bool or not isinstance(value, bool))


def same(kind, value, text, json_text):
    """Whether a jpype.dbapi2 value is DuckDB's: JPype gives TIME to the second, TIMESTAMP to the millisecond."""
    if kind in ("integer", "decimal"):
        return decimal.Decimal(str(value)) == decimal.Decimal(text)
    if kind == "real":
        return zoo.same_float(float(value), zoo.as_float32(zoo.duck_float(text)))
    if kind == "double":
        return zoo.same_float(float(value), zoo.duck_float(text))
    if kind == "boolean":
        return value == (text == "true")
    if kind in ("text", "json_text"):
        return value == text
    if kind == "blob":
        return bytes(value) == zoo.duck_blob(text)
    if kind == "date":
        return value == datetime.date.fromisoformat(text)
    if kind == "time":
        return value == zoo.truncate(zoo.parse_time(text), "second")
    if kind == "timestamp":
        return value == zoo.truncate(zoo.parse_timestamp(text), "milli")
    if kind == "time_tz":
        local, offset = zoo.split_offset(text)
        java_time = value.toLocalTime()
        return (zoo.parse_time(local) == datetime.time(java_time.getHour(), java_time.getMinute(),
                                                       java_time.getSecond(), java_time.getNano() // 1000)
                and offset == value.getOffset().getTotalSeconds())
    if kind == "timestamp_tz":
        local, offset = zoo.split_offset(text)
        expected = zoo.parse_timestamp(local).replace(tzinfo=datetime.timezone(datetime.timedelta(seconds=offset)))
        seconds = expected.timestamp()
        return (int(value.toEpochSecond()) == int(seconds // 1) and int(value.getNano()) // 1000
                == expected.microsecond)
    if kind == "json_value":
        return zoo.same_json(zoo.loads(json_text), zoo.plain(value) if not isinstance(value, str)
                             else zoo.loads(value))
    if kind == "union_value":
        return zoo.same_json(next(iter(zoo.loads(json_text).values())), zoo.loads(value))
    raise AssertionError("no check for " + kind)


def column_arrives(conn, column, kind):
    cur = conn.cursor()
    expected = zoo.oracle(cur, column)
    cur.execute(f"SELECT id, {column} FROM type_zoo ORDER BY id")
    rows = cur.fetchall()
    assert len(rows) == len(expected), rows
    wanted_type = TABLE[column]["JPype"]
    for row_id, value in rows:
        text, json_text = expected[int(row_id)]
        if text is None or value is None:
            assert text is None and value is None, (row_id, text, value)
            continue
        assert python_type_is(value, wanted_type), f"row {row_id}: {type(value)} is not {wanted_type}"
        assert same(kind, value, text, json_text), f"row {row_id}: expected {text!r}, got {value!r}"


def pandas_dtypes(conn):
    with warnings.catch_warnings():
        # pandas warns that only SQLAlchemy and sqlite3 connections are tested; DB-API 2 ones work
        warnings.simplefilter("ignore", UserWarning)
        df = pd.read_sql("SELECT * FROM type_zoo ORDER BY id", conn)
    wrong = {c: str(df[c].dtype) for c in zoo.COLUMNS if str(df[c].dtype) != TABLE[c]["pandas"]}
    assert not wrong, wrong


for label, url in [("protobuf", f"jdbc:akkio://127.0.0.1:{PROTOBUF_PORT}"),
                   ("json", f"jdbc:akkio://127.0.0.1:{JSON_PORT}?serialization=json")]:
    connection = dbapi2.connect(url, driver="com.akkio.dbproxy.jdbc.Driver",
                                driver_args={"user": "acme", "password": "acme-secret"})
    for name, column_kind in zoo.COLUMNS.items():
        check(f"{label}: {name}", column_arrives, connection, name, column_kind)
    check(f"{label}: pandas dtypes", pandas_dtypes, connection)
    connection.close()

finish("jpype-types")
