"""The demo's type_zoo and how to tell whether a Python client got a value right: compared with DuckDB's own text
of it (CAST(c AS VARCHAR), to_json(c) for nested values), read through the proxy as text. The Java twin of this is
TypeZoo; the checks are the same, the values are Python's."""
import datetime
import decimal
import json
import math
import re
import struct

COLUMNS = {
    "c_tinyint": "integer", "c_smallint": "integer", "c_integer": "integer", "c_bigint": "integer",
    "c_hugeint": "integer", "c_uhugeint": "integer", "c_utinyint": "integer", "c_usmallint": "integer",
    "c_uinteger": "integer", "c_ubigint": "integer", "c_decimal_4_1": "decimal", "c_decimal_18_6": "decimal",
    "c_decimal_38_10": "decimal", "c_real": "real", "c_double": "double", "c_boolean": "boolean",
    "c_varchar": "text", "c_blob": "blob", "c_bit": "text", "c_date": "date", "c_time": "time",
    "c_timetz": "time_tz", "c_timestamp": "timestamp", "c_timestamp_s": "timestamp", "c_timestamp_ms": "timestamp",
    "c_timestamp_ns": "timestamp", "c_timestamptz": "timestamp_tz", "c_interval": "text", "c_uuid": "text",
    "c_json": "json_text", "c_enum": "text", "c_list": "json_value", "c_list_text": "json_value",
    "c_array": "json_value", "c_struct": "json_value", "c_map": "json_value", "c_union": "union_value",
}

_OFFSET = re.compile(r"([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?$")


def oracle(cursor, column):
    """{id: (text, json text)} of one column, as DuckDB prints its values."""
    cursor.execute(f"SELECT id, CAST({column} AS VARCHAR), to_json({column}) FROM type_zoo ORDER BY id")
    return {int(r[0]): (r[1], r[2]) for r in cursor.fetchall()}


def duck_float(text):
    """DuckDB prints nan, inf and -inf."""
    return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}.get(text.lower()) or float(text)


def same_float(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def as_float32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def duck_blob(text):
    out = bytearray()
    i = 0
    while i < len(text):
        if text.startswith("\\x", i):
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        else:
            out.append(ord(text[i]))
            i += 1
    return bytes(out)


def split_offset(text):
    """'12:34:56.5+05:30' -> ('12:34:56.5', seconds east of UTC)."""
    m = _OFFSET.search(text)
    sign = -1 if m.group(1) == "-" else 1
    seconds = int(m.group(2)) * 3600 + int(m.group(3) or 0) * 60 + int(m.group(4) or 0)
    return text[:m.start()], sign * seconds


def parse_time(text):
    """DuckDB's TIME text, to the microsecond (a nanosecond digit beyond is cut)."""
    hms, _, frac = text.partition(".")
    h, m, s = (hms.split(":") + ["0"])[:3]
    return datetime.time(int(h), int(m), int(s), int((frac + "000000")[:6]))


def parse_timestamp(text):
    day, _, time = text.partition(" ")
    return datetime.datetime.combine(datetime.date.fromisoformat(day), parse_time(time))


def truncate(value, unit):
    """A time or datetime cut to 'second', 'milli' or 'micro'."""
    keep = {"second": 0, "milli": 1000, "micro": 1}[unit]
    micro = 0 if keep == 0 else value.microsecond - value.microsecond % keep
    return value.replace(microsecond=micro)


def plain(value):
    """A value as plain Python: Java arrays and lists element by element, Java numbers as Python numbers."""
    if hasattr(value, "getArray"):
        return [plain(v) for v in value.getArray()]
    if isinstance(value, (list, tuple)) or (hasattr(value, "__len__") and hasattr(value, "__getitem__")
                                           and not isinstance(value, (str, bytes, dict))):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def same_json(a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float, decimal.Decimal)) and isinstance(b, (int, float, decimal.Decimal)) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return decimal.Decimal(str(a)) == decimal.Decimal(str(b))
    return a == b


def loads(text):
    return json.loads(text, parse_float=decimal.Decimal)
