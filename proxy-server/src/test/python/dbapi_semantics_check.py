"""What the Python runtime's path through the client jar sees: jpype.dbapi2 (Debian's python3-jpype) and JayDeBeApi
(../shared/clients/jaydebeapi) prepare every statement, so a denial comes back through prepareStatement, where
Avatica's client once dropped the code name and the rule ('while preparing SQL: ...'); parameters in the SELECT
list come back with their type and value; fetchmany and a row limit behave.

usage: python3 dbapi_semantics_check.py AKKIO_JDBC_JAR PORT
Prints one line per check and a closing 'dbapi-semantics: N passed, M failed'; exits non-zero on any failure.
"""
import datetime
import decimal
import sys

import jaydebeapi
import jpype
import jpype.dbapi2 as dbapi2

from checks import check, finish

JAR, PORT = sys.argv[1], int(sys.argv[2])
URL = f"jdbc:akkio://127.0.0.1:{PORT}?application_name=dbapi-semantics-check"
DENIAL = ("OBJECT_NOT_READABLE: object globex_prod.sales.orders is not readable by tenant 'acme' "
          "(rule: read [acme_prod.sales.*, shared_ref.geo.*])")


def dbapi2_connection():
    return dbapi2.connect(URL, driver="com.akkio.dbproxy.jdbc.Driver",
                          driver_args={"user": "acme", "password": "acme-secret"})


def jaydebeapi_connection():
    return jaydebeapi.connect("com.akkio.dbproxy.jdbc.Driver", URL, ["acme", "acme-secret"])


def denial_names_code_and_rule(connect, error):
    def run():
        conn = connect()
        try:
            cur = conn.cursor()
            try:
                cur.execute("SELECT * FROM globex_prod.sales.orders")
            except error as e:
                text = str(e)
                assert DENIAL in text, text
                assert "while preparing SQL" not in text, text
            else:
                raise AssertionError("cross-tenant read was not denied")
            cur.execute("SELECT count(*) FROM orders")  # the connection is still usable
            assert cur.fetchone()[0] == 1000
        finally:
            conn.close()
    return run


def dbapi2_parameters_in_the_select_list():
    with dbapi2_connection() as conn:
        cur = conn.cursor()
        for value in (7, "x", datetime.date(2024, 2, 29), datetime.datetime(2024, 2, 29, 12, 34, 56)):
            cur.execute("SELECT ? AS v", (value,))
            got = cur.fetchone()[0]
            assert got == value and isinstance(got, type(value)), (value, got, type(got))
            assert cur.description[0][0] == "v", cur.description
        # jpype.dbapi2 has no setter for Python's Decimal: a Java BigDecimal, as its users bind one
        cur.execute("SELECT ? AS v", (jpype.JClass("java.math.BigDecimal")("12.34"),))
        got = cur.fetchone()[0]
        assert decimal.Decimal(str(got)) == decimal.Decimal("12.34"), (got, type(got))
        cur.execute("SELECT ? AS a, ? AS b", (1, "two"))
        rows = [tuple(r) for r in cur.fetchall()]
        assert rows == [(1, "two")], rows
        cur.execute("SELECT " + ", ".join(f"? AS c{i}" for i in range(1, 9)), tuple(range(10, 90, 10)))
        rows = [tuple(r) for r in cur.fetchall()]
        assert rows == [tuple(range(10, 90, 10))], rows


def jaydebeapi_parameters_in_the_select_list():
    conn = jaydebeapi_connection()
    try:
        cur = conn.cursor()
        cur.execute("SELECT ? AS a, ? AS b", [1, "two"])
        rows = [tuple(r) for r in cur.fetchall()]
        assert rows == [(1, "two")], rows
        cur.execute("SELECT ? AS d", [jpype.JClass("java.sql.Date").valueOf("2024-02-29")])
        rows = [tuple(r) for r in cur.fetchall()]
        assert rows == [("2024-02-29",)], rows
    finally:
        conn.close()


def dbapi2_fetchmany_and_arraysize():
    with dbapi2_connection() as conn:
        cur = conn.cursor()
        cur.arraysize = 7
        cur.execute("SELECT order_id FROM orders ORDER BY order_id")
        assert [r[0] for r in cur.fetchmany()] == list(range(1, 8))
        assert len(cur.fetchall()) == 993


# JayDeBeApi starts the JVM with the jars it is given; jpype.dbapi2 then uses the same JVM. Debian packages JPype's
# own support classes as a separate jar that must be on the class path.
jaydebeapi.connect("com.akkio.dbproxy.jdbc.Driver", URL, ["acme", "acme-secret"],
                   [JAR, "/usr/share/java/org.jpype.jar"]).close()
check("jpype.dbapi2: a denial names its code and rule", denial_names_code_and_rule(dbapi2_connection, dbapi2.Error))
# JayDeBeApi prepares outside its error translation: the driver's SQLException reaches the caller as it is
check("jaydebeapi: a denial names its code and rule",
      denial_names_code_and_rule(jaydebeapi_connection, Exception))
check("jpype.dbapi2: parameters in the SELECT list keep type and value", dbapi2_parameters_in_the_select_list)
check("jaydebeapi: parameters in the SELECT list", jaydebeapi_parameters_in_the_select_list)
check("jpype.dbapi2: fetchmany by arraysize, then the rest", dbapi2_fetchmany_and_arraysize)
finish("dbapi-semantics")
