"""`g4hub demo`: the hub on its own SQLite database, next to three fake stores on loopback ports
(two WooCommerce, one Shopify, with one catalog: the same SKUs, for rules across stores), with
everything a person needs to connect them printed, and a script that makes a sale at one.

The demo keeps its data in `<data dir>/demo` (`G4HUB_DATA_DIR`, else the embedded default's
folder), never in the hub's own database: it allows stores on loopback addresses, which a real
hub must not, and its stores exist only while it runs. For the same reason its database starts
empty on every run: stores saved by an earlier run would point at fake stores that are gone, and
the printed walk-through (register, add the store) would collide with them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import logging
import os
import shlex
from pathlib import Path

from g4hub_connectors.testing import (
    FakeShopifyStore,
    FakeStore,
    FakeWooCommerceStore,
    generate_catalog,
)
from g4hub_core import Hub, HubSettings
from hub_api.commands import api_settings
from hub_api.serving import say, serve_app

__all__ = ["DEMO_EMAIL", "DEMO_PASSWORD", "demo_settings", "run_demo"]

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "correct-horse-battery"  # noqa: S105 (the demo account's published password)


def demo_settings() -> HubSettings:
    """The embedded default under `<data dir>/demo`, loopback stores allowed. A database URL
    or keys in the environment are ignored: they belong to the real hub."""
    base = HubSettings(database_url=None, secret_keys=None)
    return base.model_copy(
        update={"data_dir": base.data_dir / "demo", "allow_private_store_hosts": True}
    )


def run_demo(args: argparse.Namespace) -> int:
    settings = demo_settings()
    # Plain-text logs read better next to the printed box, unless the operator asked for JSON.
    plain = {} if "G4HUB_LOG_JSON" in os.environ else {"log_json": False}
    api = api_settings(args, **plain)
    woo = FakeWooCommerceStore(products=args.products, store_name="Demo WooCommerce Store")
    shop = FakeShopifyStore(products=args.products, shop_name="Demo Shopify Store")
    # The same catalog (so the same SKUs) under keys of its own, the same on every run.
    outlet = FakeWooCommerceStore(
        products=args.products,
        store_name="Demo WooCommerce Outlet",
        consumer_key="ck_" + _key("outlet consumer key"),
        consumer_secret="cs_" + _key("outlet consumer secret"),
    )
    with contextlib.ExitStack() as stores:
        # Next to the hub's port when free, so the URLs stay the same from one run to the next.
        woo_url = _serve(stores, woo, api.port + 1 if api.port else 0)
        shop_url = _serve(stores, shop, api.port + 2 if api.port else 0)
        outlet_url = _serve(stores, outlet, api.port + 3 if api.port else 0)
        urls: list[tuple[FakeStore, str]] = [(woo, woo_url), (shop, shop_url), (outlet, outlet_url)]

        def ready(url: str) -> None:
            say(_box(url, settings.data_dir, urls, args.products))
            say(_sale(woo, woo_url))
            say(_walkthrough(url, woo, woo_url))

        # Emptied once the port is ours: a demo already running keeps its database.
        asyncio.run(
            serve_app(
                Hub(settings),
                api,
                on_ready=ready,
                before_start=lambda: _prepare(settings.data_dir),
            )
        )
    say("G4 Hub demo stopped.")
    return 0


def _prepare(data_dir: Path) -> None:
    # A line per request to the fake stores would bury the hub's own access lines.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for suffix in ("", "-wal", "-shm", "-journal"):
        (data_dir / f"g4hub.db{suffix}").unlink(missing_ok=True)


def _serve(stack: contextlib.ExitStack, store: FakeStore, port: int) -> str:
    if port and port <= 65535:
        try:
            return stack.enter_context(store.serve("127.0.0.1", port))
        except OSError:
            pass  # taken: any free port will do
    return stack.enter_context(store.serve("127.0.0.1", 0))


def _key(purpose: str) -> str:
    return hashlib.sha1(f"g4hub demo {purpose}".encode(), usedforsecurity=False).hexdigest()


def _box(url: str, data_dir: Path, stores: list[tuple[FakeStore, str]], products: int) -> str:
    lines = [
        f"G4 Hub demo is running at {url}",
        f"  dashboard (sign up, then add the stores below): {url}/",
        f"  API docs (try every route in the browser): {url}/schema",
        f"  demo data: {data_dir} (starts empty each run)",
    ]
    # These are the fake stores' own test keys, printed so a person can connect them.
    for store, store_url in stores:
        credentials = store.credentials(store_url=store_url)
        lines.append("")
        if isinstance(store, FakeWooCommerceStore):
            lines += [
                f"Fake WooCommerce store “{store.store_name}” ({products} products):",
                f"  store_url        {credentials['store_url']}",
                f"  consumer_key     {credentials['consumer_key']}",
                f"  consumer_secret  {credentials['consumer_secret']}",
            ]
        elif isinstance(store, FakeShopifyStore):
            lines += [
                f"Fake Shopify store “{store.shop_name}” ({products} products):",
                f"  store_url        {credentials['store_url']}",
                f"  access_token     {credentials['access_token']}",
                f"  api_version      {credentials['api_version']}",
            ]
    lines += [
        "",
        "The stores sell the same SKUs: a rule on the Automation page keeps them in step.",
        "Ctrl-C stops the hub and the stores.",
    ]
    width = max(len(line) for line in lines)
    edge = "+" + "-" * (width + 2) + "+"
    return "\n".join([edge, *(f"| {line.ljust(width)} |" for line in lines), edge])


def _sale(woo: FakeWooCommerceStore, woo_url: str) -> str:
    """A script selling one unit at the WooCommerce store, behind the hub's back, as an order
    would (WooCommerce over plain HTTP takes signed requests only, which curl cannot make: the
    SDK signs them)."""
    ids = woo.product_ids()
    seed = next(
        p
        for p in generate_catalog(len(ids))
        if p.sku and p.manage_stock and p.stock and not p.variants and p.name.isascii()
        if ids[p.index] not in woo.variable_product_ids()
    )
    credentials = woo.credentials(store_url=woo_url)
    shown = {key: credentials[key] for key in ("platform", "store_url")}
    shown |= {key: credentials[key] for key in ("consumer_key", "consumer_secret")}
    return "\n".join(
        [
            "",
            f"A sale at “{woo.store_name}”, behind the hub's back: each run of this sells one",
            f"{seed.name} ({seed.sku}). The hub sees it at the store's next sync (“Sync now”",
            "on its page): a stock rule from that store then updates the others.",
            "",
            "python3 - <<'EOF'",
            "import asyncio, g4hub_connectors as gc",
            "async def sell():",
            f"    async with gc.create_connector({shown!r}) as shop:",
            f"        product = await shop.get_product({ids[seed.index]!r})",
            "        change = gc.ProductUpdate(stock_quantity=product.stock_quantity - 1)",
            f"        sold = await shop.update_product({ids[seed.index]!r}, change)",
            '        print(f"Sold one {sold.name} ({sold.sku}): {sold.stock_quantity} left")',
            "asyncio.run(sell())",
            "EOF",
        ]
    )


def _walkthrough(url: str, woo: FakeWooCommerceStore, woo_url: str) -> str:
    credentials = woo.credentials(store_url=woo_url)
    json_field = "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"{}\"])'"
    account = f'{{"email": "{DEMO_EMAIL}", "password": "{DEMO_PASSWORD}"}}'
    register = f'{{"email": "{DEMO_EMAIL}", "password": "{DEMO_PASSWORD}", "tenant_name": "Demo"}}'
    store = (
        '{"name": "Demo WooCommerce", "platform": "woocommerce", '
        f'"store_url": "{credentials["store_url"]}", '
        f'"consumer_key": "{credentials["consumer_key"]}", '
        f'"consumer_secret": "{credentials["consumer_secret"]}"}}'
    )
    json_header = "-H 'Content-Type: application/json'"
    auth = '-H "Authorization: Bearer $TOKEN"'
    show = "curl -s -w '\\n'"  # the answer on its own lines, the prompt after it
    return "\n".join(
        [
            "",
            "Connect the WooCommerce store with curl, from another terminal:",
            "",
            f"H={url}",
            f"{show} $H/api/auth/register {json_header} -d {shlex.quote(register)}",
            f"TOKEN=$(curl -s $H/api/auth/login {json_header} -d {shlex.quote(account)}"
            f" | {json_field.format('access_token')})",
            f"STORE=$(curl -s $H/api/stores {auth} {json_header} -d {shlex.quote(store)}"
            f" | {json_field.format('id')})",
            f"{show} -X POST $H/api/stores/$STORE/sync {auth}",
            f'{show} "$H/api/sync/logs?store_id=$STORE" {auth}',
            f'{show} "$H/api/stores/$STORE/products?per_page=5" {auth}',
            f"{show} $H/api/dashboard/overview {auth}",
            "",
        ]
    )
