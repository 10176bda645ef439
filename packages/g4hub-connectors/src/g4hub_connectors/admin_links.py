"""Links into a store's own admin, for the people who manage it there.

Each platform folder that knows its admin's addresses has an `admin` module with
`product_admin_url(store_url, product_id)`; a platform without one has no link (`None`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import cast

__all__ = ["product_admin_url"]


def product_admin_url(platform: str, store_url: str, product_id: str) -> str | None:
    """Where the merchant edits product `product_id` in the store's admin, or `None` when the
    platform does not say."""
    if not platform.isidentifier():
        return None
    try:
        module = importlib.import_module(f"g4hub_connectors.{platform}.admin")
    except ImportError:
        return None
    build = cast("Callable[[str, str], str] | None", getattr(module, "product_admin_url", None))
    return build(store_url, product_id) if build else None
