-- The demo world of DESIGN.md, generated deterministically (no random()): every orders/customers row carries its
-- owner in tenant_tag, so a leak between tenants shows in any result. Run once at start-up, before the backend is
-- locked down, on a connection no tenant ever gets.
ATTACH ':memory:' AS acme_prod;
ATTACH ':memory:' AS globex_prod;
ATTACH ':memory:' AS shared_ref;

CREATE SCHEMA acme_prod.sales;
CREATE SCHEMA acme_prod.akkio_out;
CREATE SCHEMA globex_prod.sales;
CREATE SCHEMA globex_prod.akkio_out;
CREATE SCHEMA shared_ref.geo;

CREATE TABLE shared_ref.geo.countries (country_code VARCHAR PRIMARY KEY, name VARCHAR);
INSERT INTO shared_ref.geo.countries VALUES
    ('US', 'United States'), ('GB', 'United Kingdom'), ('DE', 'Germany'), ('FR', 'France'), ('JP', 'Japan'),
    ('BR', 'Brazil'), ('IN', 'India'), ('CA', 'Canada');

CREATE TABLE acme_prod.sales.customers (
    customer_id BIGINT PRIMARY KEY, name VARCHAR, country_code VARCHAR, tenant_tag VARCHAR);
INSERT INTO acme_prod.sales.customers
SELECT i, 'Acme customer ' || i, (['US', 'GB', 'DE', 'FR', 'JP'])[1 + i % 5], 'acme'
FROM range(1, 101) AS t(i);

CREATE TABLE acme_prod.sales.orders (
    order_id BIGINT PRIMARY KEY, customer_id BIGINT, amount DECIMAL(12, 2), ordered_at TIMESTAMP, tenant_tag VARCHAR);
INSERT INTO acme_prod.sales.orders
SELECT i, 1 + (i * 7) % 100, CAST(1 + (i * 37) % 10000 / 100.0 AS DECIMAL(12, 2)),
       TIMESTAMP '2025-01-01 00:00:00' + to_hours(i * 3), 'acme'
FROM range(1, 1001) AS t(i);

-- acme's CRM contacts, read by the demo tenant acme_partner through a row filter (EU and US only) and column masks
-- (email hashed, phone showing its last 4 digits): README, "Row filters and column masks". acme itself does not
-- read this schema. 100 contacts, 25 in each region.
CREATE SCHEMA acme_prod.crm;
CREATE SCHEMA acme_prod.partner_out;
CREATE TABLE acme_prod.crm.contacts (
    contact_id BIGINT PRIMARY KEY, customer_id BIGINT, name VARCHAR, email VARCHAR, phone VARCHAR, region VARCHAR,
    tenant_tag VARCHAR);
INSERT INTO acme_prod.crm.contacts
SELECT i, i, 'Acme contact ' || i, 'contact' || i || '@acme.example', '+1-555-' || CAST(1000 + i AS VARCHAR),
       (['EU', 'US', 'APAC', 'LATAM'])[1 + i % 4], 'acme'
FROM range(1, 101) AS t(i);

CREATE TABLE globex_prod.sales.customers (
    customer_id BIGINT PRIMARY KEY, name VARCHAR, country_code VARCHAR, tenant_tag VARCHAR);
INSERT INTO globex_prod.sales.customers
SELECT i, 'Globex customer ' || i, (['BR', 'IN', 'CA', 'US', 'DE'])[1 + i % 5], 'globex'
FROM range(1, 51) AS t(i);

CREATE TABLE globex_prod.sales.orders (
    order_id BIGINT PRIMARY KEY, customer_id BIGINT, amount DECIMAL(12, 2), ordered_at TIMESTAMP, tenant_tag VARCHAR);
INSERT INTO globex_prod.sales.orders
SELECT i, 1 + (i * 11) % 50, CAST(5 + (i * 53) % 20000 / 100.0 AS DECIMAL(12, 2)),
       TIMESTAMP '2025-02-01 00:00:00' + to_hours(i * 5), 'globex'
FROM range(1, 501) AS t(i);

-- One column of every DuckDB type, so users and the type tests see how each travels (README: Types): an everyday
-- row, two rows of edge values (extremes, NaN and infinities, empty and awkward text, empty lists and maps, instants
-- before 1970) and a row of NULLs. Each tenant gets its own copy, tagged like every other demo row.
CREATE TABLE acme_prod.sales.type_zoo (
    id INTEGER PRIMARY KEY, tenant_tag VARCHAR,
    c_tinyint TINYINT, c_smallint SMALLINT, c_integer INTEGER, c_bigint BIGINT, c_hugeint HUGEINT,
    c_uhugeint UHUGEINT, c_utinyint UTINYINT, c_usmallint USMALLINT, c_uinteger UINTEGER, c_ubigint UBIGINT,
    c_decimal_4_1 DECIMAL(4, 1), c_decimal_18_6 DECIMAL(18, 6), c_decimal_38_10 DECIMAL(38, 10),
    c_real REAL, c_double DOUBLE, c_boolean BOOLEAN, c_varchar VARCHAR, c_blob BLOB, c_bit BIT,
    c_date DATE, c_time TIME, c_timetz TIMETZ, c_timestamp TIMESTAMP, c_timestamp_s TIMESTAMP_S,
    c_timestamp_ms TIMESTAMP_MS, c_timestamp_ns TIMESTAMP_NS, c_timestamptz TIMESTAMPTZ, c_interval INTERVAL,
    c_uuid UUID, c_json JSON, c_enum ENUM('sad', 'ok', 'happy'), c_list INTEGER[], c_list_text VARCHAR[],
    c_array INTEGER[3], c_struct STRUCT(id INTEGER, n VARCHAR), c_map MAP(VARCHAR, INTEGER),
    c_union UNION(num INTEGER, str VARCHAR));
INSERT INTO acme_prod.sales.type_zoo VALUES
    (1, 'acme', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 123.4, 123456.789012, 1234567890.0123456789, 1.5, 0.1, true, 'hello',
     '\xAA\x00abc'::BLOB, '0101'::BIT, DATE '2024-02-29', TIME '12:34:56.123456', '12:34:56.123456+05:30'::TIMETZ,
     TIMESTAMP '2024-02-29 12:34:56.123456', '2024-02-29 12:34:56'::TIMESTAMP_S,
     '2024-02-29 12:34:56.123'::TIMESTAMP_MS, '2024-02-29 12:34:56.123456789'::TIMESTAMP_NS,
     '2024-02-29 12:34:56.123456+00'::TIMESTAMPTZ, INTERVAL '1 year 2 months 3 days 04:05:06.789',
     '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID, '{"a": [1, 2], "b": "x"}'::JSON, 'ok', [1, 2, NULL],
     ['a', 'b c', NULL], [1, 2, 3], {'id': 1, 'n': 'x'}, MAP {'k1': 1, 'k2': 2}, union_value(num := 2)),
    (2, 'acme', -128, 32767, -2147483648, 9223372036854775807, 170141183460469231731687303715884105727,
     340282366920938463463374607431768211455, 255, 65535, 4294967295, 18446744073709551615, -999.9,
     -999999999999.999999, 9999999999999999999999999999.9999999999, 'NaN'::REAL, '-Infinity'::DOUBLE, false,
     'Zoë "quoted", {braced} back\slash, comma, tab	and line
break ☃', '\x00\xFF'::BLOB, '1'::BIT, DATE '1969-12-31', TIME '23:59:59.999999', '00:00:00-08:00'::TIMETZ,
     TIMESTAMP '1969-12-31 23:59:59.999999', '1970-01-01 00:00:00'::TIMESTAMP_S,
     '1999-12-31 23:59:59.999'::TIMESTAMP_MS, '1969-12-31 23:59:59.999999999'::TIMESTAMP_NS,
     '2024-07-01 05:30:00.5+05:30'::TIMESTAMPTZ, INTERVAL '-1 month', 'ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID,
     '{"nested": {"ünï": null}, "list": []}'::JSON, 'happy', [], [], [NULL, -1, 2147483647],
     {'id': NULL, 'n': 'q"uote'}, MAP {}, union_value(str := 'text')),
    (3, 'acme', 0, -32768, 2147483647, -9223372036854775808, -170141183460469231731687303715884105728, 0, 0, 0, 0, 0,
     0.0, 0.000001, -9999999999999999999999999999.9999999999, '-Infinity'::REAL, 'Infinity'::DOUBLE, NULL, '',
     ''::BLOB, '1010101010101010101'::BIT, DATE '9999-12-31', TIME '00:00:00', '23:59:59+14:00'::TIMETZ,
     TIMESTAMP '1900-01-01 00:00:00', '2262-04-11 23:47:16'::TIMESTAMP_S, '1970-01-01 00:00:00.001'::TIMESTAMP_MS,
     '2262-04-11 23:47:16.854775'::TIMESTAMP_NS, '1969-12-31 23:59:59.999999+00'::TIMESTAMPTZ,
     INTERVAL '2 days 00:00:00.000001', '00000000-0000-0000-0000-000000000000'::UUID, '"just text"'::JSON, 'sad',
     [-2147483648], ['', 'NULL', '"'], [0, 0, 0], {'id': -1, 'n': ''}, MAP {'': NULL},
     union_value(num := -1)),
    (4, 'acme', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL);
CREATE TABLE globex_prod.sales.type_zoo AS SELECT * FROM acme_prod.sales.type_zoo;
UPDATE globex_prod.sales.type_zoo SET tenant_tag = 'globex';
