"""The Flight SQL messages the Python checks and benchmarks send: pyarrow has no Flight SQL client of its own (ADBC's
is not installable here), so a statement is a CommandStatementQuery and a bulk ingest a CommandStatementIngest inside a
protobuf Any, encoded as the Flight SQL specification defines them, as a FlightDescriptor's command."""


def _field(number, payload):
    """A protobuf length-delimited field (wire type 2)."""
    out = bytearray()
    for value in ((number << 3) | 2, len(payload)):
        while True:
            byte = value & 0x7F
            value >>= 7
            out.append(byte | (0x80 if value else 0))
            if not value:
                break
    return bytes(out) + payload


def _varint_field(number, value):
    """A protobuf varint field (wire type 0) of a small non-negative value."""
    out = bytearray([number << 3])
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def ingest(table, schema="akkio_out", catalog="main"):
    """A Flight SQL CommandStatementIngest creating catalog.schema.table (failing if it exists), packed in Any."""
    create_else_fail = _varint_field(1, 1) + _varint_field(2, 1)
    command = (_field(1, create_else_fail) + _field(2, table.encode("utf-8")) + _field(3, schema.encode("utf-8"))
               + _field(4, catalog.encode("utf-8")))
    return _field(1, b"type.googleapis.com/arrow.flight.protocol.sql.CommandStatementIngest") + _field(2, command)


def record_count(put_result):
    """The record_count of a DoPutUpdateResult (field 1, varint), as the server acknowledges an ingest."""
    data = put_result.to_pybytes()
    assert data[:1] == b"\x08", data
    value, shift = 0, 0
    for byte in data[1:]:
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value
    raise ValueError(data)


def statement(sql):
    """A Flight SQL CommandStatementQuery, packed in google.protobuf.Any."""
    command = _field(1, sql.encode("utf-8"))
    return _field(1, b"type.googleapis.com/arrow.flight.protocol.sql.CommandStatementQuery") + _field(2, command)
