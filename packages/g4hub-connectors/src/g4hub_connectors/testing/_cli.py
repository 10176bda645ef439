"""`g4hub-fake-store`: serve a fake store on a loopback port, to try the SDK or the hub by hand."""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import signal
import sys
import threading

from g4hub_connectors.testing._asgi import FakeStore
from g4hub_connectors.testing.shopify import FakeShopifyStore
from g4hub_connectors.testing.woocommerce import FakeWooCommerceStore


def build_store(args: argparse.Namespace) -> FakeStore:
    latency = args.latency_ms / 1000
    if args.platform == "woocommerce":
        return FakeWooCommerceStore(
            products=args.products, latency=latency, seed=args.seed, wc_version=args.wc_version
        )
    return FakeShopifyStore(products=args.products, latency=latency, seed=args.seed, plan=args.plan)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="g4hub-fake-store",
        description="Serve a fake WooCommerce or Shopify store on a loopback port.",
    )
    parser.add_argument("platform", choices=["woocommerce", "shopify"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--wc-version",
        default="9.8.5",
        help="WooCommerce version; 10.3 and later list every variation at GET /variations",
    )
    parser.add_argument(
        "--plan",
        default="standard",
        help="Shopify plan, which sets the API bucket: standard (40, 2/s), advanced, plus",
    )
    args = parser.parse_args(argv)
    if importlib.util.find_spec("uvicorn") is None:
        # Serving needs the web server the `testing` extra brings; say so, not a traceback.
        print(  # noqa: T201
            "g4hub-fake-store needs the testing extra: pip install 'g4hub-connectors[testing]'",
            file=sys.stderr,
        )
        raise SystemExit(2)

    store = build_store(args)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with store.serve(args.host, args.port) as url:
        # The printed credentials are the fake store's own test values, not anyone's secrets.
        print(json.dumps(store.credentials(store_url=url), indent=2), flush=True)  # noqa: T201
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


if __name__ == "__main__":
    main()
