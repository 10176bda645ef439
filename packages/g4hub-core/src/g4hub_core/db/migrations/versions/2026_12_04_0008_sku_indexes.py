"""The SKU view's variants table and index; bulk jobs' heartbeat.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

The SKU view keys a product by its own SKU when it lists fewer than two variants, and by each
variant's SKU otherwise (`skus.repository`):

- `ix_store_products_sku_listing` replaces `ix_store_products_tenant_id_sku` for the first kind:
  partial (products with fewer than two variants, `db.dialects.VARIANT_COUNT`, spelled the same
  in the queries), and on PostgreSQL carrying the store, price and stock, so a page of SKUs is
  read from the index alone.
- `sku_variants`: the variants of products listing several, one row each, written by triggers
  on `store_products` whenever a product's `data` is inserted or changed (so every writer, the
  sync's COPY upsert included, keeps it without knowing of it) and removed with the product by
  its foreign key; filled from the existing products here. Walked by `(tenant_id, sku)`.

`write_jobs.heartbeat_at`: when its runner last saved progress; a running job long without one
is resumed by another runner (`writes.jobs`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(19, 4).with_variant(sa.String(40), "sqlite")
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# The same text as `g4hub_core.db.dialects.VARIANT_COUNT`, frozen here as migrations are.
_COUNT = {
    "postgresql": "coalesce(jsonb_array_length({row}data -> 'variants'), 0)",
    "sqlite": "coalesce(json_array_length({row}data, '$.variants'), 0)",
}
_COLUMNS = (
    "product_row_id, position, tenant_id, store_id, variant_id, sku, price, stock_quantity, "
    "manage_stock, title"
)

_PG_SELECT = f"""
INSERT INTO sku_variants ({_COLUMNS})
SELECT {{p}}id, v.position, {{p}}tenant_id, {{p}}store_id, left(v.value ->> 'id', 100),
    v.value ->> 'sku', nullif(v.value ->> 'price', '')::numeric,
    (v.value ->> 'stock_quantity')::bigint, coalesce((v.value ->> 'manage_stock')::boolean, false),
    v.value ->> 'title'
FROM {{source}} jsonb_array_elements({{p}}data -> 'variants') WITH ORDINALITY AS v(value, position)
"""  # noqa: S608 (names and constants, no values)

_PG_FUNCTION = f"""
CREATE FUNCTION g4hub_sku_variants() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM sku_variants WHERE product_row_id = OLD.id;
    END IF;
    IF {_COUNT["postgresql"].format(row="NEW.")} >= 2 THEN
        {_PG_SELECT.format(p="NEW.", source="")};
    END IF;
    RETURN NULL;
END
$$
"""  # noqa: S608 (names and constants, no values)

_SQLITE_SELECT = f"""
INSERT INTO sku_variants ({_COLUMNS})
SELECT {{p}}id, v.key, {{p}}tenant_id, {{p}}store_id, substr(json_extract(v.value, '$.id'), 1, 100),
    json_extract(v.value, '$.sku'), json_extract(v.value, '$.price'),
    json_extract(v.value, '$.stock_quantity'),
    coalesce(json_extract(v.value, '$.manage_stock'), 0), json_extract(v.value, '$.title')
FROM {{source}} json_each({{p}}data, '$.variants') AS v
"""  # noqa: S608 (names and constants, no values)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("write_jobs", sa.Column("heartbeat_at", sa.DateTime(timezone=True)))
    count = _COUNT[dialect].format(row="")
    op.create_index(
        "ix_store_products_sku_listing",
        "store_products",
        ["tenant_id", "sku"],
        postgresql_include=["store_id", "price", "stock_quantity"],
        postgresql_where=sa.text(f"{count} < 2"),
        sqlite_where=sa.text(f"{count} < 2"),
    )
    op.drop_index("ix_store_products_tenant_id_sku", table_name="store_products")
    op.create_table(
        "sku_variants",
        sa.Column(
            "product_row_id",
            ROW_ID,
            sa.ForeignKey("store_products.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("variant_id", sa.String(100), nullable=True),
        sa.Column("sku", sa.String(), nullable=True),
        sa.Column("price", MONEY, nullable=True),
        sa.Column("stock_quantity", sa.BigInteger(), nullable=True),
        sa.Column("manage_stock", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(), nullable=True),
    )
    op.create_index(
        "ix_sku_variants_tenant_id_sku",
        "sku_variants",
        ["tenant_id", "sku"],
        postgresql_include=["store_id", "price", "stock_quantity"],
    )
    several_new = _COUNT[dialect].format(row="NEW.") + " >= 2"
    several_old = _COUNT[dialect].format(row="OLD.") + " >= 2"
    if dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER store_products_sku_variants_insert AFTER INSERT ON store_products "
            f"FOR EACH ROW WHEN ({several_new}) EXECUTE FUNCTION g4hub_sku_variants()"
        )
        op.execute(
            "CREATE TRIGGER store_products_sku_variants_update AFTER UPDATE OF data "
            f"ON store_products FOR EACH ROW WHEN ({several_new} OR {several_old}) "
            "EXECUTE FUNCTION g4hub_sku_variants()"
        )
        op.execute(
            _PG_SELECT.format(p="p.", source="store_products AS p CROSS JOIN LATERAL")
            + f" WHERE {_COUNT[dialect].format(row='p.')} >= 2"
        )
        return
    insert = _SQLITE_SELECT.format(p="NEW.", source="")
    op.execute(
        "CREATE TRIGGER store_products_sku_variants_insert AFTER INSERT ON store_products "
        f"FOR EACH ROW WHEN {several_new} BEGIN {insert}; END"
    )
    op.execute(
        "CREATE TRIGGER store_products_sku_variants_update AFTER UPDATE OF data ON store_products "  # noqa: S608 (names and constants, no values)
        f"FOR EACH ROW WHEN {several_new} OR {several_old} BEGIN "
        "DELETE FROM sku_variants WHERE product_row_id = OLD.id; "
        f"{insert} WHERE {several_new}; END"
    )
    op.execute(
        _SQLITE_SELECT.format(p="p.", source="store_products AS p,")
        + f" WHERE {_COUNT[dialect].format(row='p.')} >= 2"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER store_products_sku_variants_update ON store_products")
        op.execute("DROP TRIGGER store_products_sku_variants_insert ON store_products")
        op.execute("DROP FUNCTION g4hub_sku_variants()")
    else:
        op.execute("DROP TRIGGER store_products_sku_variants_update")
        op.execute("DROP TRIGGER store_products_sku_variants_insert")
    op.drop_table("sku_variants")
    op.create_index("ix_store_products_tenant_id_sku", "store_products", ["tenant_id", "sku"])
    op.drop_index("ix_store_products_sku_listing", table_name="store_products")
    with op.batch_alter_table("write_jobs") as batch:
        batch.drop_column("heartbeat_at")
