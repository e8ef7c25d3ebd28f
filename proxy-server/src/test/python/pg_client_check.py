"""PostgreSQL clients against the proxy's PostgreSQL front end on the demo world: psql (Debian's postgresql-client),
psycopg2, pandas.read_sql and SQLAlchemy (Debian's python3-psycopg2, python3-pandas, python3-sqlalchemy).

usage: python3 pg_client_check.py PORT
Acme's max_rows must allow 100,000 rows (the JUnit test raises it). Prints one line per check and a closing
'pg-client: N passed, M failed'; exits non-zero on any failure.
"""
import os
import subprocess
import sys
import threading
import time
import warnings

import pandas as pd
import psycopg2
import psycopg2.errors
import sqlalchemy

PORT = int(sys.argv[1])
results = []


def check(name, fn):
    try:
        fn()
        results.append(True)
        print(f"PASS {name}", flush=True)
    except Exception as e:  # report and go on: every check runs
        results.append(False)
        print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)


def connect(tenant, secret, **kw):
    return psycopg2.connect(host="127.0.0.1", port=PORT, user=tenant, password=secret, dbname="main",
                            sslmode="disable", connect_timeout=10, **kw)


def psql(tenant, secret, *commands):
    env = dict(os.environ, PGPASSWORD=secret, PGCONNECT_TIMEOUT="10")
    args = ["psql", "-X", "-A", "-t", "-v", "VERBOSITY=verbose",
            f"host=127.0.0.1 port={PORT} user={tenant} dbname=main sslmode=disable"]
    for c in commands:
        args += ["-c", c]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)


def psql_counts():
    for tenant, secret, n in (("acme", "acme-secret", "1000"), ("globex", "globex-secret", "500")):
        r = psql(tenant, secret, "SELECT count(*) FROM orders", "SELECT DISTINCT tenant_tag FROM main.sales.orders")
        assert r.returncode == 0, r.stderr
        assert r.stdout.split() == [n, tenant], r.stdout


def psql_denial():
    r = psql("acme", "acme-secret", "SELECT * FROM globex_prod.sales.orders")
    assert r.returncode != 0
    assert "42501" in r.stderr and "OBJECT_NOT_READABLE" in r.stderr, r.stderr


def psql_bad_password():
    r = psql("acme", "wrong", "SELECT 1")
    assert r.returncode != 0
    assert "password authentication failed" in r.stderr, r.stderr


def psql_session_statements():
    r = psql("acme", "acme-secret", "SHOW standard_conforming_strings", "SELECT version()", "BEGIN",
             "SELECT count(*) FROM customers", "COMMIT")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.split("\n")
    assert lines[0] == "on" and lines[1].startswith("PostgreSQL 14.0") and "100" in lines, r.stdout


def psycopg2_counts_and_parameters():
    with connect("acme", "acme-secret") as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM orders")
        assert cur.fetchone() == (1000,)
        cur.execute("SELECT order_id, amount, ordered_at, tenant_tag FROM orders WHERE order_id = %s", (5,))
        row = cur.fetchone()
        assert row[0] == 5 and str(row[1]) == "2.85" and row[2].isoformat() == "2025-01-01T15:00:00"
        assert row[3] == "acme", row
    with connect("globex", "globex-secret") as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*), min(tenant_tag), max(tenant_tag) FROM orders")
        assert cur.fetchone() == (500, "globex", "globex")


def psycopg2_denial():
    conn = connect("acme", "acme-secret")
    try:
        cur = conn.cursor()
        try:
            cur.execute("SELECT * FROM globex_prod.sales.orders")
            raise AssertionError("not denied")
        except psycopg2.Error as e:
            assert e.pgcode == "42501", e.pgcode
            assert "OBJECT_NOT_READABLE" in e.pgerror
        assert conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INERROR
        conn.rollback()
        try:
            cur.execute("SELEC 1")
            raise AssertionError("not refused")
        except psycopg2.Error as e:
            assert e.pgcode == "42601", e.pgcode
        conn.rollback()
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)
    finally:
        conn.close()


def psycopg2_bad_password():
    try:
        connect("acme", "not-the-secret")
        raise AssertionError("connected")
    except psycopg2.OperationalError as e:
        assert "password authentication failed" in str(e), e


def psycopg2_streams_100k_rows():
    with connect("acme", "acme-secret") as conn, conn.cursor() as cur:
        cur.execute("SELECT * FROM range(100000)")
        n = 0
        total = 0
        for (v,) in cur:
            n += 1
            total += v
        assert n == 100000 and total == 99999 * 100000 // 2, (n, total)


def psycopg2_named_cursor_streams():
    # a named cursor is DECLARE ... CURSOR + FETCH FORWARD itersize: the rows stream, the client never holds them all
    with connect("acme", "acme-secret") as conn:
        with conn.cursor(name="big_result") as cur:
            cur.itersize = 5000
            cur.execute("SELECT * FROM range(100000)")
            n = 0
            for (v,) in cur:
                n += 1
            assert n == 100000, n
        with conn.cursor(name="other_tenant") as cur:
            try:
                cur.execute("SELECT * FROM globex_prod.sales.orders")
                cur.fetchall()
                raise AssertionError("not denied")
            except psycopg2.Error as e:
                assert e.pgcode == "42501", e.pgcode
        conn.rollback()


def psql_fetch_count():
    env = dict(os.environ, PGPASSWORD="globex-secret", PGCONNECT_TIMEOUT="10")
    r = subprocess.run(["psql", "-X", "-A", "-t", "-v", "FETCH_COUNT=70",
                        f"host=127.0.0.1 port={PORT} user=globex dbname=main sslmode=disable",
                        "-c", "SELECT order_id FROM orders ORDER BY order_id"],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    rows = r.stdout.split()
    assert len(rows) == 500 and rows == sorted(rows, key=int), rows[:3]


def psycopg2_cancel():
    conn = connect("acme", "acme-secret")
    conn.autocommit = True
    try:
        timer = threading.Timer(1.5, conn.cancel)
        timer.start()
        start = time.time()
        try:
            conn.cursor().execute("SELECT count(*) FROM range(100000000) a, range(100000) b")
            raise AssertionError("not cancelled")
        except psycopg2.errors.QueryCanceled as e:
            assert e.pgcode == "57014", e.pgcode
        assert time.time() - start < 60
        cur = conn.cursor()
        cur.execute("SELECT count(*) FROM orders")
        assert cur.fetchone() == (1000,)
    finally:
        conn.close()


def pandas_with_psycopg2():
    with connect("globex", "globex-secret") as conn, warnings.catch_warnings():
        # pandas warns that only SQLAlchemy and sqlite3 connections are tested; DB-API 2 ones work
        warnings.simplefilter("ignore", UserWarning)
        df = pd.read_sql("SELECT tenant_tag, count(*) AS n FROM orders GROUP BY tenant_tag", conn)
    assert df["tenant_tag"].tolist() == ["globex"] and int(df["n"][0]) == 500, df


def pandas_with_sqlalchemy():
    engine = sqlalchemy.create_engine(f"postgresql+psycopg2://acme:acme-secret@127.0.0.1:{PORT}/main")
    try:
        df = pd.read_sql("SELECT order_id, amount, ordered_at FROM orders ORDER BY order_id LIMIT 5", engine)
        assert len(df) == 5 and list(df.columns) == ["order_id", "amount", "ordered_at"], df
        assert str(df["ordered_at"].dtype).startswith("datetime64"), df.dtypes
        big = pd.read_sql("SELECT * FROM range(100000)", engine)
        assert len(big) == 100000, len(big)
        with engine.connect() as c:
            n = c.execute(sqlalchemy.text("SELECT count(*) FROM customers WHERE country_code = :cc"),
                          {"cc": "DE"}).scalar()
            assert n is not None and n > 0, n
            try:
                c.execute(sqlalchemy.text("SELECT * FROM globex_prod.sales.customers"))
                raise AssertionError("not denied")
            except sqlalchemy.exc.DBAPIError as e:
                assert e.orig.pgcode == "42501", e.orig.pgcode
    finally:
        engine.dispose()


check("psql: counts per tenant", psql_counts)
check("psql: denial with SQLSTATE 42501", psql_denial)
check("psql: bad password refused", psql_bad_password)
check("psql: session statements answered", psql_session_statements)
check("psycopg2: counts and parameters", psycopg2_counts_and_parameters)
check("psycopg2: denial 42501, syntax 42601, transaction status", psycopg2_denial)
check("psycopg2: bad password refused", psycopg2_bad_password)
check("psycopg2: 100,000 rows", psycopg2_streams_100k_rows)
check("psycopg2: named cursor streams 100,000 rows", psycopg2_named_cursor_streams)
check("psql: FETCH_COUNT (cursor)", psql_fetch_count)
check("psycopg2: cancel 57014", psycopg2_cancel)
check("pandas.read_sql with psycopg2", pandas_with_psycopg2)
check("pandas.read_sql and SQLAlchemy", pandas_with_sqlalchemy)

passed = sum(results)
print(f"pg-client: {passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)
