"""The one Flight SQL message the Python checks and benchmarks send: pyarrow has no Flight SQL client of its own (ADBC's
is not installable here), so a statement is a CommandStatementQuery inside a protobuf Any, encoded as the Flight SQL
specification defines it, as a FlightDescriptor's command."""


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


def statement(sql):
    """A Flight SQL CommandStatementQuery, packed in google.protobuf.Any."""
    command = _field(1, sql.encode("utf-8"))
    return _field(1, b"type.googleapis.com/arrow.flight.protocol.sql.CommandStatementQuery") + _field(2, command)
