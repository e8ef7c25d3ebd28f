"""JayDeBeApi 1.2.3 (../shared/clients/jaydebeapi, on Debian's python3-jpype) loading the shaded client jar the way
it loads any JDBC driver: jaydebeapi.connect(driver class, URL, [user, password], jars) starts a JVM whose class path
is those jars and nothing else.

usage: python3 jaydebeapi_check.py AKKIO_JDBC_JAR PROTOBUF_PORT JSON_PORT
Prints one line per check and a closing 'jaydebeapi: N passed, M failed'; exits non-zero on any failure.
"""
import sys

import jaydebeapi

from checks import check, finish

JAR, PROTOBUF_PORT, JSON_PORT = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
# Debian packages JPype's own support classes as a separate jar that must be on the class path
JARS = [JAR, "/usr/share/java/org.jpype.jar"]


def reads_own_rows(url):
    def run():
        conn = jaydebeapi.connect("com.akkio.dbproxy.jdbc.Driver", url, ["acme", "acme-secret"], JARS)
        try:
            cur = conn.cursor()
            cur.execute("SELECT tenant_tag, count(*) AS n FROM orders GROUP BY tenant_tag")
            assert cur.fetchall() == [("acme", 1000)]
            cur.execute("SELECT order_id, amount, tenant_tag FROM orders WHERE order_id = 1")
            order_id, amount, tag = cur.fetchone()
            assert (order_id, tag) == (1, "acme") and abs(amount - 1.37) < 1e-9, (order_id, amount, tag)
            cur.close()
        finally:
            conn.close()
    return run


check("protobuf: reads the tenant's own rows", reads_own_rows(f"jdbc:akkio://127.0.0.1:{PROTOBUF_PORT}"))
check("json: reads the tenant's own rows", reads_own_rows(f"jdbc:akkio://127.0.0.1:{JSON_PORT}?serialization=json"))

finish("jaydebeapi")
