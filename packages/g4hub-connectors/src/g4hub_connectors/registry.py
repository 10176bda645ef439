"""Which connector serves which platform, what each platform's descriptor says, and
`create_connector`, the one way to build a connector.

Platforms register through the `g4hub.connectors` entry point group: a package that declares

    [project.entry-points."g4hub.connectors"]
    bigcommerce = "my_package:BigCommerceConnector"

is found by `create_connector({"platform": "bigcommerce", ...})` without editing this module. The
connector class's `descriptor` attribute (a `PlatformDescriptor`), when it has one, describes the
platform to the hub and its dashboard; without one a plain descriptor is made from its config.
A platform with several APIs registers each one past the default as `"{platform}.{api}"`
(entry point name `shopify.graphql`); a config naming `"api": "graphql"` gets that connector when
it is registered, the platform's own otherwise. `register` does the same at run time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import Any

import httpx
from pydantic import SecretStr, ValidationError

from g4hub_connectors.config import ConnectorConfig
from g4hub_connectors.connector import BaseConnector
from g4hub_connectors.descriptor import CredentialField, PlatformDescriptor
from g4hub_connectors.errors import InvalidConfigError

__all__ = [
    "available_platforms",
    "create_connector",
    "descriptors",
    "find_descriptor",
    "get_descriptor",
    "register",
]

logger = logging.getLogger("g4hub_connectors.registry")

ENTRY_POINT_GROUP = "g4hub.connectors"
_registry: dict[str, type[BaseConnector[Any]]] = {}
_descriptors: dict[str, PlatformDescriptor] = {}
_loaded_entry_points = False


def register(
    platform: str,
    connector_class: type[BaseConnector[Any]],
    *,
    descriptor: PlatformDescriptor | None = None,
) -> None:
    """Make `connector_class` serve `platform` (or `"{platform}.{api}"`), replacing any earlier
    one. `descriptor` (default: the class's `descriptor` attribute) describes the platform."""
    _registry[platform] = connector_class
    described = descriptor or getattr(connector_class, "descriptor", None)
    if isinstance(described, PlatformDescriptor):
        _descriptors[described.platform] = described


def _load_entry_points() -> None:
    global _loaded_entry_points
    if _loaded_entry_points:
        return
    _loaded_entry_points = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in _registry:
            continue
        try:
            register(ep.name, ep.load())
        except Exception:
            logger.exception("could not load connector entry point %r", ep.value)


def _builtin() -> None:
    # The built-ins register even when the package runs from a source tree without metadata.
    if "woocommerce" in _registry and "shopify" in _registry:
        return
    from g4hub_connectors.shopify import ShopifyConnector
    from g4hub_connectors.shopify.descriptor import DESCRIPTOR as SHOPIFY
    from g4hub_connectors.shopify_graphql import ShopifyGraphQLConnector
    from g4hub_connectors.woocommerce import WooCommerceConnector
    from g4hub_connectors.woocommerce.descriptor import DESCRIPTOR as WOOCOMMERCE

    _registry.setdefault("woocommerce", WooCommerceConnector)
    _registry.setdefault("shopify", ShopifyConnector)
    _registry.setdefault("shopify.graphql", ShopifyGraphQLConnector)
    _descriptors.setdefault("woocommerce", WOOCOMMERCE)
    _descriptors.setdefault("shopify", SHOPIFY)


def _load_all() -> None:
    _builtin()
    _load_entry_points()


def available_platforms() -> list[str]:
    """The platform names `create_connector` accepts (not their secondary APIs)."""
    _load_all()
    return sorted(name for name in _registry if "." not in name)


def _derived(platform: str) -> PlatformDescriptor:
    """A plain descriptor for a connector that ships none: its config's credential fields."""
    config_class = _registry[platform].config_class
    shared = set(ConnectorConfig.model_fields)
    fields = tuple(
        CredentialField(
            name,
            name.replace("_", " ").capitalize(),
            secret=name in config_class.secret_fields or info.annotation is SecretStr,
            input_type="password" if name in config_class.secret_fields else "text",
            required=info.is_required(),
        )
        for name, info in config_class.model_fields.items()
        if name not in shared
    )
    label = platform.replace("_", " ").title()
    return PlatformDescriptor(platform, label, f"A {label} store.", fields)


def find_descriptor(platform: str) -> PlatformDescriptor | None:
    """The descriptor of `platform`, or `None` when no connector serves it."""
    if platform not in _descriptors:
        _load_all()
    if platform not in _descriptors and platform in _registry:
        _descriptors[platform] = _derived(platform)
    return _descriptors.get(platform)


def get_descriptor(platform: str) -> PlatformDescriptor:
    """The descriptor of `platform`. Raises `InvalidConfigError` for an unknown platform."""
    descriptor = find_descriptor(platform)
    if descriptor is None:
        raise _unknown(platform)
    return descriptor


def descriptors() -> list[PlatformDescriptor]:
    """Every platform's descriptor, in the order the platforms registered (built-ins first)."""
    _load_all()
    found = (find_descriptor(name) for name in list(_registry) if "." not in name)
    return [d for d in found if d is not None]


def _unknown(platform: str) -> InvalidConfigError:
    known = ", ".join(available_platforms())
    return InvalidConfigError.from_problems(
        platform or None, [f"unknown platform {platform!r} (known: {known})"]
    )


def _connector_class(platform: str, api: str | None = None) -> type[BaseConnector[Any]]:
    _builtin()
    if api is not None and f"{platform}.{api}" not in _registry:
        _load_entry_points()
    if api is not None and f"{platform}.{api}" in _registry:
        return _registry[f"{platform}.{api}"]
    if platform not in _registry or "." in platform:
        _load_entry_points()
    if platform in _registry and "." not in platform:
        return _registry[platform]
    raise _unknown(platform) from None


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
    hub stores (`{"platform": "woocommerce", "store_url": ..., "consumer_key": ..., ...}`). When
    it names an `api` served by its own connector (`"{platform}.{api}"`), that connector is built.
    `http_client` is used as given and never closed by the connector; without one the connector
    makes its own and closes it on `aclose()`.

    Raises `InvalidStoreURLError` for a bad store URL and `InvalidConfigError` for anything else
    wrong with the config (a missing key, an unknown platform); nothing is sent before the config
    is valid.
    """
    if isinstance(config, ConnectorConfig):
        api = getattr(config, "api", None)
        cls = _connector_class(config.platform, api if isinstance(api, str) else None)
        return cls(config, http_client=http_client)
    platform = str(config.get("platform", "")).strip().lower()
    if not platform:
        raise InvalidConfigError.from_problems(None, ["platform: is required"])
    api = config.get("api")
    cls = _connector_class(platform, str(api) if api else None)
    try:
        typed = cls.config_class.model_validate({**config, "platform": platform})
    except ValidationError as exc:
        raise InvalidConfigError.from_problems(platform, _problems(exc)) from None
    return cls(typed, http_client=http_client)
