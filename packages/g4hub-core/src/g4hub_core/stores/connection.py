"""A store's connection settings: split into what is shown and what is sealed, and opened only
here, to build a connector."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import BaseModel, SecretStr

from g4hub_connectors import (
    BaseConnector,
    ConnectorConfig,
    InvalidConfigError,
    InvalidStoreURLError,
    create_connector,
)
from g4hub_core.errors import InvalidInput
from g4hub_core.models import Store
from g4hub_core.vault.sealed import Sealed
from g4hub_core.vault.vault import Vault, store_context

__all__ = [
    "PUBLIC_FIELDS",
    "connector_config",
    "open_connector",
    "open_settings",
    "seal_settings",
]

# Kept in the store's own columns; every other field of the flat credential mapping is sealed.
PUBLIC_FIELDS = ("platform", "store_url", "api_version")


def _plain(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value


def _never_sends(request: httpx.Request) -> httpx.Response:
    raise RuntimeError("a connector built only to validate settings must not send requests")


def _validation_client() -> httpx.AsyncClient:
    # Without a client the connector builds its own, and with it a TLS context (tens of ms);
    # validating settings needs no network at all.
    return httpx.AsyncClient(transport=httpx.MockTransport(_never_sends), trust_env=False)


def connector_config(settings: Mapping[str, Any]) -> ConnectorConfig:
    """Validate the flat connection settings (`{"platform", "store_url", "consumer_key", …}`) into
    the connector's typed config, without connecting. Raises `InvalidInput` naming the problem
    fields; never echoes a value."""
    plain = {key: _plain(value) for key, value in settings.items() if value is not None}
    try:
        connector = create_connector(plain, http_client=_validation_client())
    except InvalidStoreURLError as exc:
        raise InvalidInput(
            exc.user_message, code="invalid_store_url", details={"store_url": exc.user_message}
        ) from None
    except InvalidConfigError as exc:
        raise InvalidInput(
            "The store's settings are incomplete or invalid: " + "; ".join(exc.problems) + ".",
            code="invalid_store_settings",
            details={"problems": list(exc.problems)},
        ) from None
    config: ConnectorConfig = connector.config
    return config


def seal_settings(
    config: ConnectorConfig, *, vault: Vault, tenant_id: uuid.UUID, store_id: uuid.UUID
) -> Sealed:
    """Seal everything in `config` the store's columns do not show, bound to this store. The
    API (`api`, for a platform with several) is sealed even when it is the connector's default:
    a store keeps the API it was saved with when that default changes."""
    secret = {
        key: _plain(value)
        for key, value in config
        if key not in PUBLIC_FIELDS and (key in config.model_fields_set or key == "api")
    }
    plaintext = json.dumps(secret, separators=(",", ":")).encode()
    return vault.seal(plaintext, context=store_context(tenant_id, store_id))


def open_settings(store: Store, *, vault: Vault) -> dict[str, Any]:
    """The store's full flat connection settings, secrets in the clear. Only for building a
    connector or re-sealing; never returned to a caller."""
    sealed = vault.open(store.api_credentials, context=store_context(store.tenant_id, store.id))
    return {
        **json.loads(sealed),
        "platform": store.platform,
        "store_url": store.store_url,
        "api_version": store.api_version,
    }


def open_connector(
    store: Store, *, vault: Vault, http_client: httpx.AsyncClient | None = None
) -> BaseConnector[Any]:
    """A connector for `store`. The caller closes it (`async with`). Raises `VaultError` when the
    credentials cannot be opened, `InvalidInput` when the stored settings no longer validate."""
    config = connector_config(open_settings(store, vault=vault))
    return create_connector(config, http_client=http_client)
