"""What the stores domain takes and gives. A store is written with the connector's flat
credential format plus a name, and read back without any credential: only a masked hint."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    computed_field,
    field_validator,
    model_validator,
)

from g4hub_core.dashboard.health import StoreHealth

__all__ = [
    "ConnectionCheck",
    "ConnectionCheckError",
    "ConnectionStatus",
    "StoreCreate",
    "StoreCredentials",
    "StoreRead",
    "StoreUpdate",
]

ConnectionStatus = Literal["untested", "connected", "failed"]

SYNC_INTERVAL_MINUTES = (15, 10080)
"""The shortest and longest schedule a store may ask for: a quarter of an hour, a week."""


def _sync_interval(value: int | None) -> int | None:
    low, high = SYNC_INTERVAL_MINUTES
    if value is not None and not low <= value <= high:
        raise ValueError(
            f"sync_interval_minutes must be {low} to {high} (a week), or null for no schedule"
        )
    return value


_SYNC_INTERVAL_FIELD = Field(
    default=None,
    description="Minutes between scheduled syncs (15 to 10080); null: no schedule.",
    json_schema_extra={"minimum": SYNC_INTERVAL_MINUTES[0], "maximum": SYNC_INTERVAL_MINUTES[1]},
)


def _no_control_characters(values: Any) -> Any:
    # Names, URLs and keys are typed on one line; a control character (NUL above all, which
    # PostgreSQL refuses in text) is a paste accident, answered as invalid input.
    if isinstance(values, dict):
        for field, value in values.items():
            text = value.get_secret_value() if isinstance(value, SecretStr) else value
            if isinstance(text, str) and not text.isprintable():
                raise ValueError(f"{field} must not contain control characters")
    return values


def _flat(model: BaseModel, exclude: set[str]) -> dict[str, Any]:
    # SecretStr values stay wrapped: `connector_config` unwraps them only to validate.
    return {
        name: getattr(model, name)
        for name in type(model).model_fields
        if name not in exclude and getattr(model, name) is not None
    }


class _ConnectionFields(BaseModel):
    """The connection settings a store is written with, besides its platform and URL: shared by
    the settings of a new store and by a change to one."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    _printable = model_validator(mode="before")(_no_control_characters)

    api_version: str | None = None
    api: Literal["rest", "graphql"] | None = None
    """Shopify only: the REST Admin API (default) or the GraphQL Admin API."""
    consumer_key: SecretStr | None = None
    consumer_secret: SecretStr | None = None
    access_token: SecretStr | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None


class StoreCredentials(_ConnectionFields):
    """A store's connection settings in the connector's flat format, without a name: what the
    wizard tests before saving. Platform-specific rules (which credentials a platform needs, the
    URL's shape) are the connector's, checked by the service."""

    platform: str
    store_url: str

    def connector_settings(self) -> dict[str, Any]:
        """The flat mapping `connector_config` takes, without the fields left out."""
        return _flat(self, {"name", "sync_interval_minutes"})


class StoreCreate(StoreCredentials):
    """A new store: its connection settings, the name the merchant gives it and, optionally,
    its sync schedule (`sync_interval_minutes`: 15 to 10080, `None` for none)."""

    name: str = Field(min_length=1, max_length=200)
    sync_interval_minutes: int | None = _SYNC_INTERVAL_FIELD

    _interval = field_validator("sync_interval_minutes")(_sync_interval)


class StoreUpdate(_ConnectionFields):
    """A change to a store: only the fields given change. A store cannot move to another
    platform; `platform` is accepted (a form may send the whole store back) but must match.

    Changing the URL, API version or any credential tests the connection again; a new access
    token replaces a Shopify app's client ID and secret, and the other way round.

    `sync_interval_minutes` changes the schedule when given, `None` included (no schedule);
    left out, the schedule stays."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    platform: str | None = None
    store_url: str | None = None
    sync_interval_minutes: int | None = _SYNC_INTERVAL_FIELD

    _interval = field_validator("sync_interval_minutes")(_sync_interval)

    def connection_changes(self) -> dict[str, Any]:
        """The connection settings this update gives, in the flat format."""
        return _flat(self, {"name", "platform", "sync_interval_minutes"})

    @property
    def changes_schedule(self) -> bool:
        """True when the update gives `sync_interval_minutes` (a `None` clears the schedule)."""
        return "sync_interval_minutes" in self.model_fields_set


class StoreRead(BaseModel):
    """A store as callers see it. Holds no credential, only `credentials_hint` (`ck_…a1b2`).

    `last_error_code` and `last_error_message` say why the last connection test failed (the
    connector's code and user message); both are `None` after a successful one."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: uuid.UUID
    name: str
    platform: str
    store_url: str
    api_version: str
    connection_status: ConnectionStatus
    last_connection_test: datetime | None
    last_error_code: str | None
    last_error_message: str | None
    store_info: dict[str, Any]
    products_count: int
    """The store's own count at the last connection test or sync."""
    products_synced: int
    """Products the hub holds for this store."""
    last_sync_at: datetime | None
    sync_interval_minutes: int | None
    """Minutes between scheduled syncs; `None`: the store has no schedule."""
    next_sync_at: datetime | None
    """When the next scheduled sync is due (`None` without a schedule)."""
    credentials_hint: str
    created_at: datetime
    updated_at: datetime
    health: StoreHealth | None = None
    """The store's one verdict (`dashboard.health`): filled by `DashboardService.with_health`
    where the API lists or reads stores; `None` where it was not asked for."""


class ConnectionCheckError(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    message: str


class ConnectionCheck(BaseModel):
    """The answer to "do these settings work?", given before anything is saved. A store that
    refuses is a result (`success=False`, the connector's code and user message), not an error."""

    model_config = ConfigDict(frozen=True)

    success: bool
    platform: str
    store_name: str | None = None
    products_count: int | None = None
    warnings: list[str] = Field(default_factory=list)
    error_code: str | None = None
    error_message: str | None = None
    store_info: dict[str, Any] | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def error(self) -> ConnectionCheckError | None:
        """`{code, message}` when the test failed: the shape the service's JSON gives."""
        if self.success or self.error_code is None:
            return None
        return ConnectionCheckError(code=self.error_code, message=self.error_message or "")
