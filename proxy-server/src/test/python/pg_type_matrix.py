"""Every value of the demo's type_zoo through the PostgreSQL front end as psycopg2 and pandas.read_sql (through
SQLAlchemy) return it, compared with DuckDB's own text of it; its Python type and pandas dtype with README's table
"DuckDB over the PostgreSQL wire"; and psql's output of each column, which must be the PostgreSQL text the proxy sends
(as psycopg2 receives it before its typecasters run).

usage: python3 pg_type_matrix.py PG_PORT README
Prints one line per check and 'pg-types: N passed, M failed'; exits non-zero on any failure.
"""
import os
import subprocess
import sys
import warnings

import pandas as pd
import psycopg2
import psycopg2.extensions
import sqlalchemy

import zoo
from checks import check, finish
from readme import table_after

PORT, README = int(sys.argv[1]), sys.argv[2]
TABLE = table_after(README, "### DuckDB over the PostgreSQL wire")


def connect():
    return psycopg2.connect(host="127.0.0.1", port=PORT, user="acme", password="acme-secret", dbname="main")


def same(kind, value, text, json_text):
    """psycopg2 keeps microseconds, PostgreSQL's precision, and parses JSON."""
    return zoo.same(kind, value, text, json_text, json_parsed=True)


def column_arrives(conn, column):
    cur = conn.cursor()
    zoo.column_arrives(cur, column, TABLE[column]["psycopg2"], same)
    assert TABLE[column]["PostgreSQL type"].rstrip("[]") == _type_name(cur.description[1][1]), \
        (column, cur.description[1][1])


def _type_name(oid):
    """PostgreSQL's name of a type OID the proxy sends (an array's: its element's)."""
    return {16: "bool", 17: "bytea", 20: "int8", 21: "int2", 23: "int4", 25: "text", 114: "json", 700: "float4",
            701: "float8", 1043: "varchar", 1082: "date", 1083: "time", 1114: "timestamp", 1184: "timestamptz",
            1266: "timetz", 1562: "varbit", 1700: "numeric", 2950: "uuid", 1007: "int4", 1015: "varchar"}.get(oid, "?")


def pandas_dtypes():
    engine = sqlalchemy.create_engine(f"postgresql+psycopg2://acme:acme-secret@127.0.0.1:{PORT}/main")
    with warnings.catch_warnings():
        # SQLAlchemy's has_table probe reads pg_catalog, which the policy denies; pandas then runs the query
        warnings.simplefilter("ignore")
        df = pd.read_sql("SELECT * FROM type_zoo ORDER BY id", engine)
    wrong = {c: str(df[c].dtype) for c in zoo.COLUMNS if str(df[c].dtype) != TABLE[c]["pandas"]}
    assert not wrong, wrong


def raw_connection():
    """A connection whose every value stays the text the proxy sent (no typecaster runs)."""
    conn = connect()
    oids = (16, 17, 20, 21, 23, 25, 114, 199, 700, 701, 1000, 1001, 1005, 1007, 1009, 1015, 1016, 1021, 1022,
            1043, 1082, 1083, 1114, 1115, 1182, 1183, 1184, 1185, 1231, 1266, 1270, 1562, 1563, 1700, 2950, 2951)
    psycopg2.extensions.register_type(psycopg2.extensions.new_type(oids, "RAW", lambda v, c: v), conn)
    return conn


def psql_prints_the_wire_text(raw, column):
    cur = raw.cursor()
    cur.execute(f"SELECT {column} FROM type_zoo ORDER BY id")
    sent = ["(null)" if r[0] is None else r[0] for r in cur.fetchall()]
    out = subprocess.run(["/usr/bin/psql", f"host=127.0.0.1 port={PORT} user=acme dbname=main", "-X", "-A", "-t",
                          "-0", "-P", "null=(null)", "-c", f"SELECT {column} FROM type_zoo ORDER BY id"],
                         env={**os.environ, "PGPASSWORD": "acme-secret"}, capture_output=True, check=True)
    # -0 ends every record with a NUL, the last one too
    printed = out.stdout.decode("utf-8").split("\0")[:-1]
    assert printed == sent, (printed, sent)


connection = connect()
for name in zoo.COLUMNS:
    check(f"psycopg2: {name}", column_arrives, connection, name)
check("pandas dtypes", pandas_dtypes)
raw_conn = raw_connection()
for name in zoo.COLUMNS:
    check(f"psql: {name}", psql_prints_the_wire_text, raw_conn, name)
finish("pg-types")
