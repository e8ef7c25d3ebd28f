"""Bulk writes and reads through the PostgreSQL front end with pandas, as the application writes back: to_sql of
ROWS rows with each insertion method (default: SQLAlchemy's psycopg2 dialect sends multi-row INSERTs of 1,000 rows;
method="multi" with chunksize 1,000; pandas' documented COPY method through psycopg2's copy_expert), then reading
ROWS rows back with psycopg2 and with pandas.read_sql. The tenant keeps its own rate limit (acme: 500 statements/s,
burst 1,000): a bulk write must fit in it. Prints rows/s and ratios against the default method (writes) and
psycopg2 (reads), all from this one run.

usage: /usr/bin/python3 bench/pandas_bulk.py PORT [ROWS]
"""
import csv
import io
import sys
import time

import pandas as pd
import psycopg2
import sqlalchemy

PORT = int(sys.argv[1])
ROWS = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000


def copy_method(table, conn, keys, data_iter):
    with conn.connection.cursor() as cur:
        buf = io.StringIO()
        csv.writer(buf).writerows(data_iter)
        buf.seek(0)
        cols = ", ".join(f'"{k}"' for k in keys)
        cur.copy_expert(f"COPY {table.schema}.{table.name} ({cols}) FROM STDIN WITH CSV", buf)


def frame(n):
    return pd.DataFrame({"id": range(n), "name": [f"row {i}" for i in range(n)], "amount": [i / 4 for i in range(n)],
                         "ts": pd.date_range("2025-01-01", periods=n, freq="s")})


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


engine = sqlalchemy.create_engine(f"postgresql+psycopg2://acme:acme-secret@127.0.0.1:{PORT}/main")
df = frame(ROWS)
writes = {}
for name, kw in (("default", {}), ("multi", {"method": "multi", "chunksize": 1000}), ("copy", {"method": copy_method})):
    table = f"bulk_{name}"
    writes[name] = timed(lambda: df.to_sql(table, engine, schema="akkio_out", index=False, **kw))
    with engine.connect() as c:
        n = c.execute(sqlalchemy.text(f"SELECT count(*) FROM akkio_out.{table}")).scalar()
    assert n == ROWS, (name, n)

conn = psycopg2.connect(host="127.0.0.1", port=PORT, user="acme", password="acme-secret", dbname="main")
query = "SELECT * FROM akkio_out.bulk_copy"


def psycopg2_read():
    with conn.cursor() as cur:
        cur.execute(query)
        assert len(cur.fetchall()) == ROWS


def pandas_read():
    assert len(pd.read_sql(query, conn)) == ROWS


reads = {"psycopg2 fetchall": timed(psycopg2_read), "pandas.read_sql (psycopg2)": timed(pandas_read)}
print(f"| {ROWS:,} rows, 4 columns | seconds | rows/s | ratio |")
print("|---|---:|---:|---:|")
for name, s in writes.items():
    print(f"| to_sql, {name} | {s:.2f} | {ROWS / s:,.0f} | {writes['default'] / s:.2f}x default |")
for name, s in reads.items():
    print(f"| read, {name} | {s:.2f} | {ROWS / s:,.0f} | {reads['psycopg2 fetchall'] / s:.2f}x psycopg2 |")
