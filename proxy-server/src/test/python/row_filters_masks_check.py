"""Issue 24 with the clients people use: psycopg2 and pandas.read_sql against the PostgreSQL front end as the demo
tenant acme_partner, whose policy filters acme's CRM contacts (EU and US) and masks them (email hashed, phone showing
its last 4). Prints one line per check and a summary; exit status 1 when any failed.
Usage: row_filters_masks_check.py <pg port>"""
import re
import sys

import pandas
import psycopg2

port = int(sys.argv[1])
conn = psycopg2.connect(host="127.0.0.1", port=port, user="acme_partner", password="partner-secret",
                        dbname="main", sslmode="disable")
conn.autocommit = True
passed = failed = 0


def check(name, ok):
    global passed, failed
    print(("PASS " if ok else "FAIL ") + name)
    if ok:
        passed += 1
    else:
        failed += 1


cur = conn.cursor()
cur.execute("SELECT contact_id, email, phone, region FROM contacts ORDER BY contact_id")
rows = cur.fetchall()
check("50 rows, EU and US only", len(rows) == 50 and {r[3] for r in rows} == {"EU", "US"})
check("emails hashed", all(re.fullmatch(r"[0-9a-f]{64}", r[1]) for r in rows))
check("phones show their last 4", all(re.fullmatch(r"\*{7}[0-9]{4}", r[2]) for r in rows))
cur.execute("SELECT count(*) FROM contacts WHERE email = %s OR region = %s", ("contact1@acme.example", "APAC"))
check("a bound original value finds nothing", cur.fetchone()[0] == 0)
frame = pandas.read_sql("SELECT region, count(*) AS n FROM contacts GROUP BY region ORDER BY region", conn)
check("pandas sees the filtered groups", frame["region"].tolist() == ["EU", "US"] and frame["n"].tolist() == [25, 25])
try:
    cur.execute("EXPLAIN SELECT * FROM contacts")
    check("EXPLAIN denied", False)
except psycopg2.Error as e:
    check("EXPLAIN denied", e.pgcode == "42501" and "FILTER_OR_MASK" in str(e))
print(f"row-filters-masks: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
