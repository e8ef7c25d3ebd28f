"""Python's Arrow Flight client (pyarrow.flight, installed by .ci/run from the machine's wheel index) against the
proxy's Flight SQL front end on the demo world: log in, query into pandas, be refused, reuse nobody else's ticket.

pyarrow has no Flight SQL client of its own (ADBC's is not installable here), so the two Flight SQL messages used
(CommandStatementQuery inside a protobuf Any) are encoded below, as the Flight SQL specification defines them.

usage: python3 flight_client_check.py PORT
Prints one line per check and a closing 'flight-client: N passed, M failed'; exits non-zero on any failure.
"""
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.flight as flight

from checks import check, finish
from flight_sql import ingest, record_count, statement

PORT = int(sys.argv[1])


def login(tenant, secret, compression=None, write_compression=None):
    """A client and its call options: the bearer token, the IPC compression it asks for (zstd, lz4) and the one it
    writes its own batches with."""
    client = flight.FlightClient(f"grpc://127.0.0.1:{PORT}")
    token = client.authenticate_basic_token(tenant.encode(), secret.encode())
    extra = [(b"x-akkio-arrow-compression", compression.encode())] if compression else []
    writes = pa.ipc.IpcWriteOptions(compression=write_compression) if write_compression else None
    return client, flight.FlightCallOptions(headers=[token] + extra, write_options=writes)


def query(client, options, sql):
    info = client.get_flight_info(flight.FlightDescriptor.for_command(statement(sql)), options)
    return info, client.do_get(info.endpoints[0].ticket, options).read_all()


def a_tenant_reads_its_orders_into_pandas():
    client, options = login("acme", "acme-secret")
    _, table = query(client, options, "SELECT tenant_tag, count(*) AS n, sum(amount) AS total FROM orders GROUP BY 1")
    df = table.to_pandas()
    assert df.loc[0, "tenant_tag"] == "acme" and df.loc[0, "n"] == 1000, df
    assert str(table.schema.field("total").type).startswith("decimal128"), table.schema


def a_wide_result_arrives_as_one_arrow_table():
    client, options = login("acme", "acme-secret")
    _, table = query(client, options, "SELECT a.order_id, a.amount, a.ordered_at FROM orders a, orders b"
                                      " WHERE b.order_id <= 10")
    assert table.num_rows == 10000, table.num_rows
    assert str(table.schema.field("ordered_at").type) == "timestamp[us]", table.schema
    assert table.to_pandas()["ordered_at"].dtype.kind == "M"


def a_denied_statement_names_the_rule():
    client, options = login("acme", "acme-secret")
    try:
        query(client, options, "SELECT * FROM globex_prod.sales.orders")
    except flight.FlightUnauthorizedError as e:
        assert "OBJECT_NOT_READABLE" in str(e) and "rule:" in str(e), e
        return
    raise AssertionError("the statement was not refused")


def a_wrong_secret_is_refused():
    try:
        login("acme", "wrong")
    except flight.FlightUnauthenticatedError as e:
        assert "AUTHENTICATION_FAILED" in str(e), e
        return
    raise AssertionError("the login was not refused")


def another_tenants_ticket_is_unknown():
    acme, acme_options = login("acme", "acme-secret")
    info = acme.get_flight_info(flight.FlightDescriptor.for_command(statement("SELECT 1 AS one")), acme_options)
    globex, globex_options = login("globex", "globex-secret")
    try:
        globex.do_get(info.endpoints[0].ticket, globex_options).read_all()
    except KeyError as e:  # pyarrow raises Flight's NOT_FOUND as ArrowKeyError
        assert "UNKNOWN_HANDLE" in str(e), e
    else:
        raise AssertionError("globex read acme's ticket")
    assert acme.do_get(info.endpoints[0].ticket, acme_options).read_all().num_rows == 1


def structs_and_maps_arrive_as_nested_values():
    client, options = login("acme", "acme-secret")
    for sql in ("SELECT id, c_struct, c_map FROM type_zoo ORDER BY id",
                # a TIMETZ column keeps the statement on the row path: the same nested values, built from rows
                "SELECT id, c_struct, c_map, c_timetz FROM type_zoo ORDER BY id"):
        _, table = query(client, options, sql)
        assert str(table.schema.field("c_struct").type) == "struct<id: int32, n: string>", table.schema
        assert str(table.schema.field("c_map").type) == "map<string, int32>", table.schema
        rows = table.to_pylist()
        assert rows[0]["c_struct"] == {"id": 1, "n": "x"} and rows[0]["c_map"] == [("k1", 1), ("k2", 2)], rows[0]
        assert rows[1]["c_struct"] == {"id": None, "n": 'q"uote'} and rows[1]["c_map"] == [], rows[1]
        assert rows[2]["c_map"] == [("", None)] and rows[3]["c_struct"] is None, rows[2:]


def compressed_results_read_as_plain_ones():
    client, options = login("acme", "acme-secret")
    sql = "SELECT order_id, amount, ordered_at, tenant_tag FROM orders ORDER BY order_id"
    _, plain = query(client, options, sql)
    for codec in ("zstd", "lz4"):
        packed_client, packed = login("acme", "acme-secret", codec)
        _, table = query(packed_client, packed, sql)
        assert table.equals(plain), codec
        assert table.to_pandas().equals(plain.to_pandas()), codec


def an_ingest_pyarrow_compressed_lands_as_sent():
    """pyarrow compresses LZ4_FRAME with linked 64 KiB blocks (Arrow C++'s default), ZSTD as zstd does."""
    n = 90_000  # under acme's max_write_rows (100,000)
    data = pa.table({"id": pa.array(range(n), pa.int64()), "label": [f"row {i}" for i in range(n)],
                     "x": pa.array([i * 0.25 for i in range(n)], pa.float64())})
    for codec in ("lz4", "zstd"):
        client, options = login("acme", "acme-secret", write_compression=codec)
        writer, reader = client.do_put(flight.FlightDescriptor.for_command(ingest(f"py_{codec}")), data.schema,
                                       options)
        writer.write_table(data, max_chunksize=30_000)
        writer.done_writing()
        written = record_count(reader.read())
        writer.close()
        assert written == n, (codec, written)
        _, check = query(client, options, f"SELECT count(*) AS n FROM main.akkio_out.py_{codec}"
                                          " WHERE label = 'row ' || id AND x * 4 = id")
        assert check.column("n")[0].as_py() == n, (codec, check)


check("a tenant reads its orders into pandas", a_tenant_reads_its_orders_into_pandas)
check("a wide result arrives as one Arrow table", a_wide_result_arrives_as_one_arrow_table)
check("structs and maps arrive as nested values", structs_and_maps_arrive_as_nested_values)
check("compressed results read as plain ones", compressed_results_read_as_plain_ones)
check("an ingest pyarrow compressed lands as sent", an_ingest_pyarrow_compressed_lands_as_sent)
check("a denied statement names the rule", a_denied_statement_names_the_rule)
check("a wrong secret is refused", a_wrong_secret_is_refused)
check("another tenant's ticket is unknown", another_tenants_ticket_is_unknown)
finish("flight-client")
