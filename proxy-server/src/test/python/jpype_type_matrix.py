"""Every value of the demo's type_zoo through the client jar as jpype.dbapi2 (the DB-API bridge JayDeBeApi is built
on) and pandas.read_sql return it, over a protobuf and a JSON server: each compared with DuckDB's own text of it, its
Python type and pandas dtype with README's table "DuckDB over Avatica".

usage: python3 jpype_type_matrix.py AKKIO_JDBC_JAR PROTOBUF_PORT JSON_PORT README
Prints one line per check and 'jpype-types: N passed, M failed'; exits non-zero on any failure.
"""
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


def same(kind, value, text, json_text):
    """JPype's java.sql.Time keeps whole seconds, Avatica's TIMESTAMP milliseconds."""
    return zoo.same(kind, value, text, json_text, time_unit="second", timestamp_unit="milli")


def column_arrives(conn, column):
    zoo.column_arrives(conn.cursor(), column, TABLE[column]["JPype"], same, jpype.JClass)


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
    for name in zoo.COLUMNS:
        check(f"{label}: {name}", column_arrives, connection, name)
    check(f"{label}: pandas dtypes", pandas_dtypes, connection)
    connection.close()

finish("jpype-types")
