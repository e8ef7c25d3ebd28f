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
