"""Seeding the dashboard benchmark's PostgreSQL database server-side: stores, a million products
and their sync logs, made by `INSERT … SELECT generate_series` in seconds rather than minutes."""

from __future__ import annotations

import time
import uuid

import psycopg

_STORES_SQL = """
INSERT INTO stores (id, tenant_id, platform, name, store_url, api_version, api_credentials,
    credentials_hint, connection_status, last_connection_test, store_info, products_count,
    products_synced, last_sync_at, created_at, updated_at)
SELECT gen_random_uuid(), %(tenant)s,
    CASE WHEN g %% 2 = 0 THEN 'woocommerce' ELSE 'shopify' END,
    'Store ' || lpad(g::text, 3, '0'),
    CASE WHEN g %% 2 = 0 THEN 'https://store-' || g || '.example'
         ELSE 'https://store-' || g || '.myshopify.com' END,
    CASE WHEN g %% 2 = 0 THEN 'wc/v3' ELSE '2026-10' END,
    'bench:never-opened', 'ck_…0000',
    CASE WHEN g %% 20 = 0 THEN 'failed' WHEN g %% 33 = 0 THEN 'untested' ELSE 'connected' END,
    now() - interval '1 day', '{"name": "A benchmark store"}'::jsonb,
    %(products)s, %(products)s, now() - g * interval '1 minute', now(), now()
FROM generate_series(1, %(stores)s) AS g
"""

# About 600 bytes of JSON per product: a modest `data`, not the 3 KB of a real platform's.
_PRODUCTS_SQL = """
INSERT INTO store_products (tenant_id, store_id, platform_product_id, sku, name, price, currency,
    stock_quantity, manage_stock, stock_status, status, image_url, data, content_hash,
    source_updated_at, last_updated)
SELECT s.tenant_id, s.id, p.pid, p.sku, p.name, p.price, 'EUR', g %% 50, true,
    CASE WHEN g %% 50 = 0 THEN 'outofstock' ELSE 'instock' END,
    CASE WHEN g %% 40 = 0 THEN 'draft' ELSE 'active' END,
    'https://cdn.example/p/' || g || '.jpg',
    jsonb_build_object('id', p.pid, 'name', p.name, 'sku', p.sku, 'price', p.price::text,
        'currency', 'EUR', 'stock_status', 'instock', 'status', 'active',
        'images', jsonb_build_array('https://cdn.example/p/' || g || '.jpg'),
        'raw', jsonb_build_object('id', 100000 + g, 'type', 'simple',
            'permalink', 'https://shop.example/product/' || g,
            'short_description', 'A sturdy, good-looking product for every day. Made to last.',
            'categories', jsonb_build_array(jsonb_build_object('id', g %% 12, 'name', 'Home')),
            'tags', jsonb_build_array('bench', 'sample'),
            'date_modified_gmt', to_char(now(), 'YYYY-MM-DD"T"HH24:MI:SS'))),
    md5(s.id::text || g::text), now() - (g %% 1000) * interval '1 hour', now()
FROM stores AS s
CROSS JOIN generate_series(1, %(products)s) AS g
CROSS JOIN LATERAL (SELECT
    (100000 + g)::text AS pid,
    'SKU-' || lpad(g::text, 6, '0') AS sku,
    (ARRAY['Blue', 'Red', 'Green', 'Black', 'White', 'Oak', 'Steel', 'Linen'])[1 + g %% 8]
        || ' ' || (ARRAY['Mug', 'Shirt', 'Chair', 'Lamp', 'Poster', 'Cap', 'Table', 'Bag',
                         'Scarf', 'Vase'])[1 + (g / 8) %% 10] || ' ' || g AS name,
    round(5 + (g %% 1000) * 0.37, 2) AS price) AS p
WHERE s.tenant_id = %(tenant)s
"""

# The newest sync of every tenth store is running, of every tenth (+5) failed.
_LOGS_SQL = """
INSERT INTO sync_logs (id, tenant_id, store_id, trigger, mode, status, products_total,
    products_fetched, products_created, products_updated, products_deleted,
    error_code, error_message, created_at, started_at, finished_at)
SELECT gen_random_uuid(), s.tenant_id, s.id,
    CASE WHEN g = 1 THEN 'initial' WHEN g %% 5 = 0 THEN 'manual' ELSE 'scheduled' END,
    CASE WHEN g = 1 THEN 'full' ELSE 'incremental' END,
    st.status, %(products)s, %(products)s, CASE WHEN g = 1 THEN %(products)s ELSE 0 END,
    g * 3, 0,
    CASE WHEN st.status = 'failed' THEN 'timeout' END,
    CASE WHEN st.status = 'failed' THEN 'The store did not answer in time.' END,
    now() - (%(logs)s - g) * interval '1 hour' - s.rank * interval '1 second',
    now() - (%(logs)s - g) * interval '1 hour' - s.rank * interval '1 second',
    CASE WHEN st.status <> 'running'
         THEN now() - (%(logs)s - g) * interval '1 hour' + interval '30 seconds' END
FROM (SELECT id, tenant_id, row_number() OVER (ORDER BY name) AS rank
      FROM stores WHERE tenant_id = %(tenant)s) AS s
CROSS JOIN generate_series(1, %(logs)s) AS g
CROSS JOIN LATERAL (SELECT CASE
    WHEN g = %(logs)s AND s.rank %% 10 = 0 THEN 'running'
    WHEN g = %(logs)s AND s.rank %% 10 = 5 THEN 'failed'
    WHEN g %% 7 = 0 THEN 'failed' ELSE 'succeeded' END AS status) AS st
"""


def seed(dsn: str, tenants: list[tuple[uuid.UUID, int, int]], logs: int) -> float:
    """Seed `(tenant id, stores, products per store)` server-side; returns seconds taken."""
    started = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET work_mem = '256MB'")
        for index, (tenant, stores, products) in enumerate(tenants):
            conn.execute(
                "INSERT INTO tenants (id, name, created_at) VALUES (%s, %s, now())",
                (tenant, "Benchmark" if index == 0 else f"Neighbour {index}"),
            )
            params = {"tenant": tenant, "stores": stores, "products": products, "logs": logs}
            conn.execute(_STORES_SQL, params)
            conn.execute(_PRODUCTS_SQL, params)
            conn.execute(_LOGS_SQL, params)
            conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started
