"""Typed connector configs. Secrets are `SecretStr`: masked in `repr`, `str` and dumps.

A config is built from the caller's mapping (the seed's flat credential format) or directly. The
SDK never reads environment variables: credentials always come from the caller.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from g4hub_connectors._retry import RetryPolicy
from g4hub_connectors._urls import normalize_shopify_url, normalize_woocommerce_url

__all__ = [
    "DEFAULT_SHOPIFY_API_VERSION",
    "ConnectorConfig",
    "ShopifyConfig",
    "WooCommerceConfig",
]

# Shopify releases a version each quarter and supports each for at least twelve months; the
# default is the newest stable one, and every store can pin its own.
DEFAULT_SHOPIFY_API_VERSION = "2026-10"


class ConnectorConfig(BaseModel):
    """Settings every connector shares. Platform configs add their credentials."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    platform: str
    store_url: str
    api_version: str
    timeout: float = Field(default=30.0, gt=0, le=600)
    """Seconds to wait for the store to answer one request."""
    request_deadline: float = Field(default=60.0, gt=0, le=3600)
    """Seconds one request may take in all, retries and a slowly dripping body included;
    `timeout` alone bounds each wait for a byte, not the whole answer."""
    max_response_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    """The largest answer body read, counted while it streams in (after decompression)."""
    verify_tls: bool = True
    ca_bundle: str | None = None
    """Path to a PEM bundle to trust instead of the system's, for self-signed staging stores."""
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    max_concurrency: int = Field(default=4, ge=1, le=32)
    """Requests one listing may have in flight at once (WooCommerce pages, variations)."""

    secret_fields: ClassVar[tuple[str, ...]] = ()

    @field_validator("ca_bundle")
    @classmethod
    def _readable_bundle(cls, value: str | None) -> str | None:
        if value is not None and not Path(value).is_file():
            raise ValueError(f"no CA bundle file at {value}")
        return value

    def credentials_hint(self) -> str:
        """A masked hint of the main credential (`ck_…a1b2`), safe to show anywhere: masked as
        the platform's descriptor says."""
        # Imported here: the registry imports the connectors, which import this module.
        from g4hub_connectors.registry import find_descriptor

        descriptor = find_descriptor(self.platform)
        if descriptor is None:
            return "…"
        return descriptor.credentials_hint(
            {name: getattr(self, name) for name in type(self).model_fields}
        )


class WooCommerceConfig(ConnectorConfig):
    """A WooCommerce store reached with a REST API key pair (WooCommerce → Settings → Advanced →
    REST API)."""

    platform: Literal["woocommerce"] = "woocommerce"
    consumer_key: SecretStr
    consumer_secret: SecretStr
    api_version: str = "wc/v3"

    secret_fields: ClassVar[tuple[str, ...]] = ("consumer_key", "consumer_secret")

    @field_validator("store_url")
    @classmethod
    def _normalize_url(cls, value: str) -> str:
        return normalize_woocommerce_url(value)

    @field_validator("api_version")
    @classmethod
    def _check_version(cls, value: str) -> str:
        value = value.strip("/")
        if not value.startswith("wc/v"):
            raise ValueError("WooCommerce API versions look like 'wc/v3'")
        return value

    @field_validator("consumer_key", "consumer_secret")
    @classmethod
    def _not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return SecretStr(value.get_secret_value().strip())


class ShopifyConfig(ConnectorConfig):
    """A Shopify store reached with an Admin API access token (`shpat_…`), or with a
    developer-dashboard app's client ID and secret (client-credentials grant)."""

    platform: Literal["shopify"] = "shopify"
    access_token: SecretStr | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    refresh_token: SecretStr | None = None
    """An expiring offline token's refresh token (with client_id and client_secret; access_token
    optional). Shopify rotates it on each refresh: the connector reports the new one."""
    api_version: str = DEFAULT_SHOPIFY_API_VERSION
    api: Literal["rest", "graphql"] = "rest"

    secret_fields: ClassVar[tuple[str, ...]] = ("access_token", "client_secret", "refresh_token")

    @field_validator("store_url")
    @classmethod
    def _normalize_url(cls, value: str) -> str:
        return normalize_shopify_url(value)

    @field_validator("api_version")
    @classmethod
    def _check_version(cls, value: str) -> str:
        if value != "unstable" and not (
            len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit()
        ):
            raise ValueError("Shopify API versions look like '2026-10'")
        return value

    @model_validator(mode="after")
    def _one_way_to_authenticate(self) -> ShopifyConfig:
        has_token = self.access_token is not None and bool(self.access_token.get_secret_value())
        has_client = bool(self.client_id) and self.client_secret is not None
        if self.refresh_token is not None:
            if not has_client:
                raise ValueError("a refresh_token needs client_id and client_secret")
            return self
        if has_token == has_client:
            raise ValueError("give either access_token, or client_id and client_secret (not both)")
        return self
