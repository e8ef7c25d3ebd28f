"""Seconds to a pandas DataFrame of ROWS rows (the harness's stream shape, five columns: BIGINT, DOUBLE, DECIMAL,
VARCHAR, TIMESTAMP) through each way a Python program reads from the proxy, in one run: pyarrow.flight (Flight SQL
front end; plain, and with each IPC compression it negotiates: zstd, lz4), psycopg2 + pandas (PostgreSQL front end),
JPype + the client jar (Avatica front end, jpype.dbapi2 as JayDeBeApi uses it). Then the write-back of ROWS rows:
Flight SQL bulk ingest (CommandStatementIngest from Arrow Java's FlightSqlClient: pyarrow has no Flight SQL client)
against a psycopg2 COPY (the PostgreSQL front end's fastest way) and psycopg2's executemany of a parameterised
INSERT (what DB-API code does; on the first EXECUTEMANY_ROWS rows only, default 20,000, as it runs one statement a
row). Every way runs twice; the second run counts (REPEAT=N: the median of N runs after the first). Prints seconds,
rows/s and ratios (rows/s against the baseline), and with PROXY_PID set (run-python-dataframe.sh sets it) the proxy
process's CPU seconds during each counted read.

usage: /usr/bin/python3 bench/python_dataframe.py CLIENT_JAR BENCH_JAR AVATICA_PORT PG_PORT FLIGHT_PORT [ROWS [WHAT]]
WHAT: reads, writes, all (default) or flight (the pyarrow.flight reads alone: plain, zstd, lz4)
"""
import os
import statistics
import subprocess
import sys
import time

import pandas as pd
import psycopg2
import pyarrow.flight as flight

sys.path.insert(0, "proxy-server/src/test/python")
from flight_sql import statement  # noqa: E402

JAR, BENCH_JAR = sys.argv[1], sys.argv[2]
AVATICA, PG, FLIGHT = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
ROWS = int(sys.argv[6]) if len(sys.argv) > 6 else 1_000_000
WHAT = sys.argv[7] if len(sys.argv) > 7 else "all"
EXECUTEMANY_ROWS = min(ROWS, int(os.environ.get("EXECUTEMANY_ROWS", "20000")))
QUERY = (f"SELECT i, i * 0.25 AS x, CAST(i AS DECIMAL(18, 2)) AS amount, 'row ' || i AS label,"
         f" TIMESTAMP '2025-01-01' + to_seconds(i) AS at FROM range({ROWS}) t(i)")


def via_flight(compression=None):
    def run():
        client = flight.FlightClient(f"grpc://127.0.0.1:{FLIGHT}")
        headers = [client.authenticate_basic_token(b"acme", b"acme-secret")]
        if compression:
            headers.append((b"x-akkio-arrow-compression", compression.encode()))
        options = flight.FlightCallOptions(headers=headers)
        info = client.get_flight_info(flight.FlightDescriptor.for_command(statement(QUERY)), options)
        return client.do_get(info.endpoints[0].ticket, options).read_all().to_pandas()
    return run


def via_psycopg2():
    conn = psycopg2.connect(host="127.0.0.1", port=PG, user="acme", password="acme-secret", dbname="main")
    try:
        with conn.cursor() as cur:
            cur.execute(QUERY)
            rows = cur.fetchall()
            return pd.DataFrame(rows, columns=[d[0] for d in cur.description])
    finally:
        conn.close()


def via_jpype():
    import jpype.dbapi2 as dbapi2
    conn = dbapi2.connect(f"jdbc:akkio://127.0.0.1:{AVATICA}", driver="com.akkio.dbproxy.jdbc.Driver",
                          driver_args={"user": "acme", "password": "acme-secret"})
    try:
        cur = conn.cursor()
        cur.arraysize = 10_000
        cur.execute(QUERY)
        rows = cur.fetchall()
        return pd.DataFrame(rows, columns=[d[0] for d in cur.description])
    finally:
        conn.close()


PROXY_PID = os.environ.get("PROXY_PID")
REPEAT = int(os.environ.get("REPEAT", "1"))
CPU_SECONDS = {}


def proxy_cpu():
    """The proxy process's user + system CPU seconds so far (Linux /proc), or 0 without PROXY_PID."""
    if not PROXY_PID:
        return 0.0
    with open(f"/proc/{PROXY_PID}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def seconds(fn, name=None):
    """Wall seconds of fn after a warm-up run; with REPEAT=N the median of N runs (and of the proxy's CPU seconds)."""
    fn()  # warm: JIT, connections, caches
    walls, cpus = [], []
    for _ in range(REPEAT):
        cpu = proxy_cpu()
        start = time.perf_counter()
        df = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(proxy_cpu() - cpu)
        assert len(df) == ROWS, len(df)
    if name:
        CPU_SECONDS[name] = statistics.median(cpus)
    return statistics.median(walls)


def ingest_seconds():
    """ROWS rows written back through Flight SQL bulk ingest: Arrow Java's FlightSqlClient in a JVM of its own
    (pyarrow has no Flight SQL client), timed inside it after a warm-up ingest."""
    out = subprocess.run(["java", "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", BENCH_JAR,
                          "com.akkio.dbproxy.bench.FlightIngestClient", str(FLIGHT), str(ROWS)],
                         check=True, capture_output=True, text=True).stdout
    return float(out.split("ingest_seconds=")[1].split()[0])


def timed_write(fill):
    """Seconds to create a write-back table and fill(cursor, table) it through psycopg2, after one warm-up."""
    conn = psycopg2.connect(host="127.0.0.1", port=PG, user="acme", password="acme-secret", dbname="main")
    try:
        def write(table):
            with conn.cursor() as cur:
                cur.execute(f"CREATE TABLE akkio_out.{table} (i BIGINT, x DOUBLE, label VARCHAR, ts TIMESTAMP)")
                fill(cur, table)
            conn.commit()
        write(f"py_{fill.__name__}_warm")
        start = time.perf_counter()
        write(f"py_{fill.__name__}")
        return time.perf_counter() - start
    finally:
        conn.close()


def copy_seconds():
    import csv
    import io
    df = pd.DataFrame({"i": range(ROWS), "x": [i * 0.25 for i in range(ROWS)],
                       "label": [f"row {i}" for i in range(ROWS)],
                       "ts": pd.date_range("2025-01-01", periods=ROWS, freq="s")})

    def copy(cur, table):
        buf = io.StringIO()
        df.to_csv(buf, index=False, header=False)
        buf.seek(0)
        cur.copy_expert(f"COPY akkio_out.{table} (i, x, label, ts) FROM STDIN WITH CSV", buf)
    return timed_write(copy)


def executemany_seconds():
    start_ts = pd.Timestamp("2025-01-01").to_pydatetime()
    rows = [(i, i * 0.25, f"row {i}", start_ts + pd.Timedelta(seconds=i).to_pytimedelta())
            for i in range(EXECUTEMANY_ROWS)]

    def many(cur, table):
        cur.executemany(f"INSERT INTO akkio_out.{table} (i, x, label, ts) VALUES (%s, %s, %s, %s)", rows)
    return timed_write(many)


if WHAT in ("reads", "all"):
    import jpype  # noqa: E402  (JayDeBeApi's way: a JVM in this process, with the client jar)
    jpype.startJVM(classpath=[JAR, "/usr/share/java/org.jpype.jar"], convertStrings=True)

if WHAT in ("reads", "all", "flight"):
    reads = {"pyarrow.flight (Flight SQL)": seconds(via_flight(), "plain"),
             "pyarrow.flight, zstd": seconds(via_flight("zstd"), "zstd"),
             "pyarrow.flight, lz4": seconds(via_flight("lz4"), "lz4")}
    if WHAT != "flight":
        reads["psycopg2 + pandas (PostgreSQL wire)"] = seconds(via_psycopg2, "psycopg2")
        reads["JPype + client jar (Avatica)"] = seconds(via_jpype, "jpype")
    base_name, short = (("psycopg2 + pandas (PostgreSQL wire)", "psycopg2") if WHAT != "flight"
                        else ("pyarrow.flight (Flight SQL)", "plain"))
    base = reads[base_name]
    print(f"\n| {ROWS:,} rows, 5 columns, to a pandas DataFrame | seconds | rows/s | {short} / this |"
          + (" proxy CPU s |" if PROXY_PID else ""))
    print("|---|---:|---:|---:|" + ("---:|" if PROXY_PID else ""))
    for (name, s), cpu in zip(reads.items(), CPU_SECONDS.values()):
        print(f"| {name} | {s:.2f} | {ROWS / s:,.0f} | {base / s:.1f} |" + (f" {cpu:.2f} |" if PROXY_PID else ""))

if WHAT in ("writes", "all"):
    writes = {"Flight SQL bulk ingest": (ingest_seconds(), ROWS),
              "psycopg2 COPY (PostgreSQL wire)": (copy_seconds(), ROWS),
              f"psycopg2 executemany (PostgreSQL wire; {EXECUTEMANY_ROWS:,} rows)":
                  (executemany_seconds(), EXECUTEMANY_ROWS)}
    copy_rate = ROWS / writes["psycopg2 COPY (PostgreSQL wire)"][0]
    many_rate = EXECUTEMANY_ROWS / writes[f"psycopg2 executemany (PostgreSQL wire; {EXECUTEMANY_ROWS:,} rows)"][0]
    print(f"\n| {ROWS:,} rows written back (4 columns) | seconds | rows/s | this / COPY | this / executemany |")
    print("|---|---:|---:|---:|---:|")
    for name, (s, n) in writes.items():
        print(f"| {name} | {s:.2f} | {n / s:,.0f} | {n / s / copy_rate:.1f} | {n / s / many_rate:.1f} |")
