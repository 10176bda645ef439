"""`g4hub demo`: the hub on its own SQLite database, next to a fake WooCommerce and a fake
Shopify store on loopback ports, with everything a person needs to connect them printed.

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
import logging
import os
import shlex
from pathlib import Path

from g4hub_connectors.testing import FakeShopifyStore, FakeStore, FakeWooCommerceStore
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
    with contextlib.ExitStack() as stores:
        # Next to the hub's port when free, so the URLs stay the same from one run to the next.
        woo_url = _serve(stores, woo, api.port + 1 if api.port else 0)
        shop_url = _serve(stores, shop, api.port + 2 if api.port else 0)

        def ready(url: str) -> None:
            say(_box(url, settings.data_dir, woo, woo_url, shop, shop_url, args.products))
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


def _box(
    url: str,
    data_dir: Path,
    woo: FakeWooCommerceStore,
    woo_url: str,
    shop: FakeShopifyStore,
    shop_url: str,
    products: int,
) -> str:
    # These are the fake stores' own test keys, printed so a person can connect them.
    woo_credentials = woo.credentials(store_url=woo_url)
    shop_credentials = shop.credentials(store_url=shop_url)
    lines = [
        f"G4 Hub demo is running at {url}",
        f"  dashboard (sign up, then add the stores below): {url}/",
        f"  API docs (try every route in the browser): {url}/schema",
        f"  demo data: {data_dir} (starts empty each run)",
        "",
        f"Fake WooCommerce store ({products} products):",
        f"  store_url        {woo_credentials['store_url']}",
        f"  consumer_key     {woo_credentials['consumer_key']}",
        f"  consumer_secret  {woo_credentials['consumer_secret']}",
        "",
        f"Fake Shopify store ({products} products):",
        f"  store_url        {shop_credentials['store_url']}",
        f"  access_token     {shop_credentials['access_token']}",
        f"  api_version      {shop_credentials['api_version']}",
        "",
        "Ctrl-C stops the hub and both stores.",
    ]
    width = max(len(line) for line in lines)
    edge = "+" + "-" * (width + 2) + "+"
    return "\n".join([edge, *(f"| {line.ljust(width)} |" for line in lines), edge])


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
