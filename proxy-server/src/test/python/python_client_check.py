"""Python through the client jar: Debian's python3-jpype (jpype.dbapi2, the DB-API bridge JayDeBeApi is built on)
and pandas.read_sql against a running proxy on the demo world.

usage: python3 python_client_check.py AKKIO_JDBC_JAR PORT
Prints one line per check and a closing 'python-client: N passed, M failed'; exits non-zero on any failure.
"""
import sys
import warnings

import jpype
import jpype.dbapi2 as dbapi2
import pandas as pd

JAR, PORT = sys.argv[1], int(sys.argv[2])
URL = f"jdbc:akkio://127.0.0.1:{PORT}"
results = []


def check(name, fn):
    try:
        fn()
        results.append(True)
        print(f"PASS {name}")
    except Exception as e:  # report and go on: every check runs
        results.append(False)
        print(f"FAIL {name}: {type(e).__name__}: {e}")


def connect(tenant, secret):
    return dbapi2.connect(URL, driver="com.akkio.dbproxy.jdbc.Driver",
                          driver_args={"user": tenant, "password": secret})


def read_sql(conn, sql):
    with warnings.catch_warnings():
        # pandas warns that only SQLAlchemy and sqlite3 connections are tested; DB-API 2 ones work
        warnings.simplefilter("ignore", UserWarning)
        return pd.read_sql(sql, conn)


def own_rows_only(tenant, secret, expected_orders):
    with connect(tenant, secret) as conn:
        df = read_sql(conn, "SELECT tenant_tag, count(*) AS n FROM orders GROUP BY tenant_tag")
        assert df["tenant_tag"].tolist() == [tenant], df
        assert int(df["n"][0]) == expected_orders, df


def types_come_back():
    with connect("acme", "acme-secret") as conn:
        df = read_sql(conn, "SELECT order_id, amount, ordered_at, tenant_tag FROM main.sales.orders "
                            "ORDER BY order_id LIMIT 3")
        assert df["order_id"].tolist() == [1, 2, 3], df
        assert abs(float(df["amount"][0]) - 1.37) < 1e-9, df
        assert str(df["ordered_at"][0]).startswith("2025-01-01 03:00"), df


def denied_with_sqlstate():
    with connect("acme", "acme-secret") as conn:
        cur = conn.cursor()
        try:
            cur.execute("SELECT * FROM globex_prod.sales.orders")
        except dbapi2.Error as e:
            assert "42501" in str(e) or "OBJECT_NOT_READABLE" in str(e), e
        else:
            raise AssertionError("cross-tenant read was not denied")
        cur.execute("SELECT count(*) FROM customers")  # the connection is still usable
        assert cur.fetchone()[0] == 100


def bad_secret_refused():
    try:
        connect("acme", "wrong-secret").cursor().execute("SELECT 1")
    except dbapi2.Error as e:
        assert "28000" in str(e) or "auth" in str(e).lower(), e
    else:
        raise AssertionError("wrong secret was accepted")


# Debian packages JPype's own support classes as a separate jar that must be on the class path
jpype.startJVM(classpath=[JAR, "/usr/share/java/org.jpype.jar"], convertStrings=True)
check("acme sees its 1000 orders only", lambda: own_rows_only("acme", "acme-secret", 1000))
check("globex sees its 500 orders only", lambda: own_rows_only("globex", "globex-secret", 500))
check("numeric, decimal and timestamp values", types_come_back)
check("cross-tenant read denied with 42501", denied_with_sqlstate)
check("wrong secret refused", bad_secret_refused)
passed = sum(results)
print(f"python-client: {passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)
