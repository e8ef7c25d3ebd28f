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
    # both as text: a JSON value would be parsed by the PostgreSQL client's typecaster
    cursor.execute(f"SELECT id, CAST({column} AS VARCHAR), CAST(to_json({column}) AS VARCHAR) FROM type_zoo"
                   " ORDER BY id")
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


PYTHON_TYPES = {"int": int, "Decimal": decimal.Decimal, "float": float, "bool": bool, "str": str, "bytes": bytes,
                "memoryview": memoryview, "date": datetime.date, "time": datetime.time, "datetime": datetime.datetime,
                "list": list}


def python_type_is(value, name, java_class=None):
    """Whether a client's value has the type a README table names: a Python type, 'JSON' (any parsed JSON), or a
    Java class (java_class(name) gives it, for JPype)."""
    if name == "JSON":
        return isinstance(value, (dict, list, str, int, float, bool))
    if name.startswith("java."):
        return isinstance(value, java_class(name))
    wanted = PYTHON_TYPES[name]
    if wanted is datetime.date and isinstance(value, datetime.datetime):
        return False
    return isinstance(value, wanted) and (wanted is bool or not isinstance(value, bool))


def _aware(local, offset, parse):
    return parse(local).replace(tzinfo=datetime.timezone(datetime.timedelta(seconds=offset)))


def same(kind, value, text, json_text, time_unit="micro", timestamp_unit="micro", json_parsed=False):
    """Whether a client's value is DuckDB's (text, json_text), to the precision the client keeps. Zoned values may be
    Python's (psycopg2) or Java's OffsetTime/OffsetDateTime (JPype); JSON values parsed or as text."""
    if kind in ("integer", "decimal"):
        return decimal.Decimal(str(value)) == decimal.Decimal(text)
    if kind == "real":
        return same_float(float(value), as_float32(duck_float(text)))
    if kind == "double":
        return same_float(float(value), duck_float(text))
    if kind == "boolean":
        return value == (text == "true")
    if kind == "text":
        return value == text
    if kind == "json_text" and not json_parsed:
        return value == text
    if kind == "blob":
        return bytes(value) == duck_blob(text)
    if kind == "date":
        return value == datetime.date.fromisoformat(text)
    if kind == "time":
        return value == truncate(parse_time(text), time_unit)
    if kind == "timestamp":
        return value == truncate(parse_timestamp(text), timestamp_unit)
    if kind == "time_tz":
        local, offset = split_offset(text)
        if hasattr(value, "toLocalTime"):  # java.time.OffsetTime
            t = value.toLocalTime()
            value = datetime.time(t.getHour(), t.getMinute(), t.getSecond(), t.getNano() // 1000,
                                  tzinfo=datetime.timezone(datetime.timedelta(seconds=value.getOffset()
                                                                              .getTotalSeconds())))
        return value == _aware(local, offset, parse_time)
    if kind == "timestamp_tz":
        local, offset = split_offset(text)
        expected = _aware(local, offset, parse_timestamp)
        if hasattr(value, "toEpochSecond"):  # java.time.OffsetDateTime
            return (int(value.toEpochSecond()), int(value.getNano()) // 1000) == (
                int(expected.timestamp() // 1), expected.microsecond)
        return value == expected
    actual = value if json_parsed else plain(value) if not isinstance(value, str) else loads(value)
    if kind in ("json_text", "json_value"):
        return same_json(loads(json_text), actual)
    if kind == "union_value":
        return same_json(next(iter(loads(json_text).values())), actual)
    raise AssertionError("no check for " + kind)


def column_arrives(cursor, column, wanted_type, same_value, java_class=None):
    """Every row of one type_zoo column, as the client's cursor returns it, against DuckDB's text of it."""
    expected = oracle(cursor, column)
    cursor.execute(f"SELECT id, {column} FROM type_zoo ORDER BY id")
    rows = cursor.fetchall()
    assert len(rows) == len(expected), rows
    for row_id, value in rows:
        text, json_text = expected[int(row_id)]
        if text is None or value is None:
            assert text is None and value is None, (row_id, text, value)
            continue
        assert python_type_is(value, wanted_type, java_class), f"row {row_id}: {type(value)} is not {wanted_type}"
        assert same_value(COLUMNS[column], value, text, json_text), f"row {row_id}: expected {text!r}, got {value!r}"
