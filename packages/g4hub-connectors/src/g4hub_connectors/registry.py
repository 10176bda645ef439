"""Which connector serves which platform, and `create_connector`, the one way to build one.

Platforms register through the `g4hub.connectors` entry point group: a package that declares

    [project.entry-points."g4hub.connectors"]
    bigcommerce = "my_package:BigCommerceConnector"

is found by `create_connector({"platform": "bigcommerce", ...})` without editing this module.
`register` does the same at run time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import Any

import httpx
from pydantic import ValidationError

from g4hub_connectors.config import ConnectorConfig
from g4hub_connectors.connector import BaseConnector
from g4hub_connectors.errors import InvalidConfigError

__all__ = ["available_platforms", "create_connector", "register"]

logger = logging.getLogger("g4hub_connectors.registry")

ENTRY_POINT_GROUP = "g4hub.connectors"
_registry: dict[str, type[BaseConnector[Any]]] = {}
_loaded_entry_points = False


def register(platform: str, connector_class: type[BaseConnector[Any]]) -> None:
    """Make `connector_class` serve `platform` (replacing any earlier one)."""
    _registry[platform] = connector_class


def _load_entry_points() -> None:
    global _loaded_entry_points
    if _loaded_entry_points:
        return
    _loaded_entry_points = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in _registry:
            continue
        try:
            _registry[ep.name] = ep.load()
        except Exception:
            logger.exception("could not load connector entry point %r", ep.value)


def _builtin() -> None:
    # The built-ins register even when the package runs from a source tree without metadata.
    from g4hub_connectors.shopify import ShopifyConnector
    from g4hub_connectors.woocommerce import WooCommerceConnector

    _registry.setdefault("woocommerce", WooCommerceConnector)
    _registry.setdefault("shopify", ShopifyConnector)


def available_platforms() -> list[str]:
    """The platform names `create_connector` accepts."""
    _builtin()
    _load_entry_points()
    return sorted(_registry)


def _connector_class(platform: str) -> type[BaseConnector[Any]]:
    _builtin()
    if platform not in _registry:
        _load_entry_points()
    try:
        return _registry[platform]
    except KeyError:
        known = ", ".join(available_platforms())
        raise InvalidConfigError.from_problems(
            platform, [f"unknown platform {platform!r} (known: {known})"]
        ) from None


def _problems(exc: ValidationError) -> list[str]:
    # Pydantic's own message would echo the input value, which may be a secret.
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "config"
        problems.append(f"{where}: {error['msg']}")
    return problems


def create_connector(
    config: Mapping[str, Any] | ConnectorConfig,
    *,
    http_client: httpx.AsyncClient | None = None,
) -> BaseConnector[Any]:
    """Build the connector for a store.

    `config` is a typed config (`WooCommerceConfig`, `ShopifyConfig`, …) or the flat mapping the
    hub stores (`{"platform": "woocommerce", "store_url": ..., "consumer_key": ..., ...}`).
    `http_client` is used as given and never closed by the connector; without one the connector
    makes its own and closes it on `aclose()`.

    Raises `InvalidStoreURLError` for a bad store URL and `InvalidConfigError` for anything else
    wrong with the config (a missing key, an unknown platform); nothing is sent before the config
    is valid.
    """
    if isinstance(config, ConnectorConfig):
        return _connector_class(config.platform)(config, http_client=http_client)
    platform = str(config.get("platform", "")).strip().lower()
    if not platform:
        raise InvalidConfigError.from_problems(None, ["platform: is required"])
    cls = _connector_class(platform)
    try:
        typed = cls.config_class.model_validate({**config, "platform": platform})
    except ValidationError as exc:
        raise InvalidConfigError.from_problems(platform, _problems(exc)) from None
    return cls(typed, http_client=http_client)
