"""The governed catalog and write-back through the PostgreSQL front end, with the real clients: psql's describe
commands, SQLAlchemy's inspector, pandas' to_sql (every method), psycopg2's COPY FROM STDIN, and the audit records
they leave. The catalog must show each tenant only its own tables, under logical names.

usage: python3 pg_catalog_check.py PORT AUDIT_LOG MODE ROWS
MODE 'demo': acme without DROP (to_sql's replace must fail with the policy's error); 'drop': the demo's policies (acme may drop its own outputs).
(run once for each, by PgCatalogClientTest)
ROWS: how many rows the bulk checks write (with the tenant's own rate limit, never lifted).
Prints one line per check and a closing 'pg-catalog: N passed, M failed'; exits non-zero on any failure.
"""
import csv
import io
import json
import os
import subprocess
import sys

import pandas as pd
import psycopg2
import sqlalchemy

from checks import check, finish

PORT = int(sys.argv[1])
AUDIT = sys.argv[2]
MODE = sys.argv[3]
ROWS = int(sys.argv[4])


def psql(tenant, secret, *commands):
    env = dict(os.environ, PGPASSWORD=secret, PGCONNECT_TIMEOUT="10")
    args = ["psql", "-X", "-v", "ON_ERROR_STOP=1", f"host=127.0.0.1 port={PORT} user={tenant} dbname=main sslmode=disable"]
    for c in commands:
        args += ["-c", c]
    r = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def engine(tenant="acme", secret="acme-secret"):
    return sqlalchemy.create_engine(f"postgresql+psycopg2://{tenant}:{secret}@127.0.0.1:{PORT}/main")


def connect(tenant="acme", secret="acme-secret"):
    return psycopg2.connect(host="127.0.0.1", port=PORT, user=tenant, password=secret, dbname="main",
                            sslmode="disable", connect_timeout=10)


def audit_records():
    with open(AUDIT, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def psql_describe_commands():
    out = psql("acme", "acme-secret", r"\dt")
    assert "orders" in out and "customers" in out and " table " in out, out
    out = psql("acme", "acme-secret", r"\dn")
    assert "sales" in out and "akkio_out" in out, out
    out = psql("acme", "acme-secret", r"\l")
    assert " main " in out and "shared_ref" in out, out
    out = psql("acme", "acme-secret", r"\d orders")
    for expected in ("order_id", "bigint", "not null", "numeric(12,2)", "timestamp without time zone",
                     '"orders_pkey" PRIMARY KEY, btree (order_id)'):
        assert expected in out, (expected, out)
    out = psql("acme", "acme-secret", r"\d+ customers")
    assert "customer_id" in out and "character varying" in out and "Access method: heap" in out, out
    out = psql("acme", "acme-secret", r"\df")
    assert "(0 rows)" in out, out


def psql_never_shows_another_tenant():
    for tenant, secret, own, other in (("acme", "acme-secret", "type_zoo", "globex"),
                                       ("globex", "globex-secret", "orders", "acme")):
        out = psql(tenant, secret, r"\dt *.*", r"\dn", r"\l", r"\d+ orders")
        assert own in out, out
        assert other not in out and "_prod" not in out, out
        assert "akkio_out" not in out or tenant == "acme", out


def sqlalchemy_inspector():
    e = engine()
    try:
        insp = sqlalchemy.inspect(e)
        assert {"sales", "akkio_out"} <= set(insp.get_schema_names()), insp.get_schema_names()
        assert "acme_prod" not in str(insp.get_schema_names())
        assert {"orders", "customers", "type_zoo"} <= set(insp.get_table_names()), insp.get_table_names()
        columns = {c["name"]: c for c in insp.get_columns("orders")}
        assert list(columns) == ["order_id", "customer_id", "amount", "ordered_at", "tenant_tag"], list(columns)
        assert str(columns["amount"]["type"]) == "NUMERIC(12, 2)", columns["amount"]["type"]
        assert columns["order_id"]["nullable"] is False and columns["tenant_tag"]["nullable"] is True
        pk = insp.get_pk_constraint("orders")
        assert pk["constrained_columns"] == ["order_id"], pk
        assert insp.has_table("orders") and not insp.has_table("no_such_table")
        assert insp.has_table("orders", schema="sales") and not insp.has_table("orders", schema="akkio_out")
    finally:
        e.dispose()


def frame(n, start=0):
    return pd.DataFrame({"id": range(start, start + n), "name": [f"row {i}" for i in range(start, start + n)],
                         "amount": [i / 4 for i in range(start, start + n)],
                         "ts": pd.date_range("2025-01-01", periods=n, freq="min")})


def count(table):
    with connect() as c, c.cursor() as cur:
        cur.execute(f"SELECT count(*), min(id), max(id) FROM akkio_out.{table}")
        return cur.fetchone()


def to_sql_create_append_multi():
    e = engine()
    try:
        frame(50).to_sql("ts_create", e, schema="akkio_out", index=False)
        frame(50, 50).to_sql("ts_create", e, schema="akkio_out", index=False, if_exists="append")
        frame(50, 100).to_sql("ts_create", e, schema="akkio_out", index=False, if_exists="append", method="multi",
                              chunksize=20)
        assert count("ts_create") == (150, 0, 149), count("ts_create")
        assert "ts_create" in sqlalchemy.inspect(e).get_table_names(schema="akkio_out")
        back = pd.read_sql("SELECT * FROM akkio_out.ts_create ORDER BY id", e)
        assert list(back.columns) == ["id", "name", "amount", "ts"] and back["amount"].iloc[3] == 0.75, back
        try:
            frame(5).to_sql("ts_create", e, schema="akkio_out", index=False)  # if_exists="fail"
            raise AssertionError("to_sql did not see the table")
        except ValueError as err:
            assert "already exists" in str(err), err
    finally:
        e.dispose()


def to_sql_replace():
    e = engine()
    try:
        frame(10).to_sql("ts_replace", e, schema="akkio_out", index=False)
        if MODE == "demo":
            try:
                frame(3).to_sql("ts_replace", e, schema="akkio_out", index=False, if_exists="replace")
                raise AssertionError("replace was not refused")
            except sqlalchemy.exc.DBAPIError as err:
                assert err.orig.pgcode == "42501", err.orig.pgcode
                assert "STATEMENT_KIND_DENIED" in str(err.orig) and "drop" in str(err.orig), err.orig
            assert count("ts_replace")[0] == 10, "a refused replace must leave the table as it was"
        else:
            frame(3, 100).to_sql("ts_replace", e, schema="akkio_out", index=False, if_exists="replace")
            assert count("ts_replace") == (3, 100, 102), count("ts_replace")
    finally:
        e.dispose()


def copy_method(table, conn, keys, data_iter):
    """pandas' documented COPY method (io.sql, "insertion method"), through psycopg2's copy_expert."""
    dbapi = conn.connection
    with dbapi.cursor() as cur:
        buf = io.StringIO()
        csv.writer(buf).writerows(data_iter)
        buf.seek(0)
        columns = ", ".join(f'"{k}"' for k in keys)
        name = f"{table.schema}.{table.name}" if table.schema else table.name
        cur.copy_expert(f"COPY {name} ({columns}) FROM STDIN WITH CSV", buf)


def bulk_to_sql_within_the_rate_limit():
    e = engine()
    try:
        frame(ROWS).to_sql("bulk_default", e, schema="akkio_out", index=False)
        frame(ROWS).to_sql("bulk_multi", e, schema="akkio_out", index=False, method="multi", chunksize=1000)
        frame(ROWS).to_sql("bulk_copy", e, schema="akkio_out", index=False, method=copy_method)
        for t in ("bulk_default", "bulk_multi", "bulk_copy"):
            assert count(t) == (ROWS, 0, ROWS - 1), (t, count(t))
    finally:
        e.dispose()
    copies = [r for r in audit_records() if r["event"] == "complete" and r.get("rows") == ROWS
              and r["statement_type"] == "insert"]
    assert len(copies) >= 1, "the COPY's one audit record with its row count"


def copy_text_and_csv():
    with connect() as c, c.cursor() as cur:
        cur.execute("CREATE TABLE akkio_out.copied (id BIGINT, name VARCHAR, amount DECIMAL(10,2), ok BOOLEAN)")
        cur.copy_expert("COPY akkio_out.copied (id, name, amount, ok) FROM STDIN WITH (FORMAT csv, HEADER true)",
                        io.StringIO('id,name,amount,ok\n1,"a, ""b""",1.5,true\n2,,2,false\n3,"two\nlines",3,t\n'))
        assert cur.rowcount == 3, cur.rowcount
        cur.copy_expert("COPY akkio_out.copied FROM STDIN",
                        io.StringIO("4\ttab\\there\t4.25\tt\n5\t\\N\t5\tf\n\\.\n"))
        assert cur.rowcount == 2, cur.rowcount
        cur.execute("SELECT id, name, amount, ok FROM akkio_out.copied ORDER BY id")
        rows = cur.fetchall()
        assert [r[1] for r in rows] == ['a, "b"', None, "two\nlines", "tab\there", None], rows
        assert str(rows[3][2]) == "4.25" and rows[0][3] is True and rows[4][3] is False, rows
    copies = [r for r in audit_records() if r["event"] == "complete" and r["statement_type"] == "insert"
              and r.get("rows") in (2, 3) and r["code"] == "ALLOWED"]
    assert len(copies) >= 2, copies


def copy_is_governed():
    c = connect()
    c.autocommit = True
    cur = c.cursor()
    try:
        for sql, code, words in (("COPY sales.orders FROM STDIN", "42501", "OBJECT_NOT_WRITABLE"),
                                 ("COPY akkio_out.copied TO STDOUT", "42501", "STATEMENT_KIND_DENIED"),
                                 ("COPY akkio_out.copied FROM '/etc/passwd'", "42501", "STATEMENT_KIND_DENIED"),
                                 ("COPY (SELECT 1) TO STDOUT", "42501", "STATEMENT_KIND_DENIED")):
            try:
                cur.copy_expert(sql, io.StringIO("1\n"))
                raise AssertionError(f"not refused: {sql}")
            except psycopg2.Error as err:
                assert err.pgcode == code and words in str(err), (sql, err.pgcode, str(err))
        # a bad row fails the whole COPY: nothing of it is kept, and the session goes on
        cur.execute("SELECT count(*) FROM akkio_out.copied")
        before = cur.fetchone()[0]
        try:
            cur.copy_expert("COPY akkio_out.copied (id, name) FROM STDIN WITH CSV", io.StringIO("10,a\n11\n"))
            raise AssertionError("a row with a missing column was accepted")
        except psycopg2.Error as err:
            assert err.pgcode == "22P04" and "COPY_DATA_INVALID" in str(err), err
        cur.execute("SELECT count(*) FROM akkio_out.copied")
        assert cur.fetchone()[0] == before
    finally:
        c.close()


def globex_cannot_copy_or_see_acme():
    with connect("globex", "globex-secret") as c, c.cursor() as cur:
        try:
            cur.copy_expert("COPY main.akkio_out.x FROM STDIN", io.StringIO("1\n"))
            raise AssertionError("globex may not write")
        except psycopg2.Error as err:
            assert err.pgcode == "42501", err.pgcode
        c.rollback()
        cur.execute("SELECT table_schema, table_name FROM information_schema.tables ORDER BY 1, 2")
        names = cur.fetchall()
        assert names == [("sales", "customers"), ("sales", "orders"), ("sales", "type_zoo")], names


def catalog_queries_are_no_bypass():
    c = connect()
    c.autocommit = True
    cur = c.cursor()
    try:
        for sql in ("SELECT c.relname, o.order_id FROM pg_catalog.pg_class c JOIN orders o ON true",
                    "SELECT pg_read_file('/etc/passwd') FROM pg_catalog.pg_class",
                    "SELECT * FROM pg_catalog.pg_class, read_csv('/etc/passwd')",
                    "SELECT * FROM information_schema.tables, globex_prod.sales.orders"):
            try:
                cur.execute(sql)
                raise AssertionError(f"answered: {sql} -> {cur.fetchall()[:3]}")
            except psycopg2.Error as err:
                assert err.pgcode == "42501", (sql, err.pgcode, str(err))
    finally:
        c.close()


check("psql: \\dt \\dn \\l \\d orders \\d+ customers \\df", psql_describe_commands)
check("psql: each tenant sees only its own names", psql_never_shows_another_tenant)
check("SQLAlchemy inspect: schemas, tables, columns, pk, has_table", sqlalchemy_inspector)
check("pandas to_sql: create, append, multi", to_sql_create_append_multi)
check(f"pandas to_sql: replace ({MODE})", to_sql_replace)
check("psycopg2 COPY FROM STDIN: csv and text", copy_text_and_csv)
check("COPY is governed: write patterns, no TO, no files", copy_is_governed)
check("globex: no write-back, no acme names", globex_cannot_copy_or_see_acme)
check("catalog queries joined with data or files are denied", catalog_queries_are_no_bypass)
check(f"pandas to_sql of {ROWS} rows (default, multi, COPY) within the tenant's rate limit",
      bulk_to_sql_within_the_rate_limit)

finish("pg-catalog")
