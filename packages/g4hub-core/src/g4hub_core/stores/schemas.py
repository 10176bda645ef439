"""What the stores domain takes and gives. A store is written with the connector's flat
credential format plus a name, and read back without any credential: only a masked hint."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    computed_field,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from g4hub_connectors import (
    CredentialField,
    PlatformDescriptor,
    Remedy,
    descriptors,
    find_descriptor,
)
from g4hub_core.dashboard.health import StoreHealth
from g4hub_core.dashboard.realtime import RealtimeStatus

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
    values = {name: getattr(model, name) for name in type(model).model_fields}
    values.update(model.__pydantic_extra__ or {})
    return {
        name: value for name, value in values.items() if name not in exclude and value is not None
    }


def _error(kind: str, field: str, message: str, **context: str) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError(kind, message, {"field": field, **context}),
        loc=(field,),
        input=None,  # never the value: it may be a secret
    )


def _descriptor_of(platform: Any, *, fold: bool) -> PlatformDescriptor | None:
    # A new store names its platform exactly as registered (the published schema's `const`); a
    # change may send the store back as a form shows it, in any case (the schema's pattern).
    name = platform if isinstance(platform, str) else ""
    if fold:
        name = name.strip().lower()
    return find_descriptor(name) if name and "." not in name else None


def _credential_fields(
    title: str, values: dict[str, Any], known: set[str], platform: Any, *, required: bool
) -> dict[str, Any]:
    """Check the credential fields of `values` against the platform's descriptor (any
    platform's, when none is named); secret ones come back wrapped in `SecretStr`.

    Which credentials a store takes is the platform's to say (its descriptor), so a body is
    checked against the platforms registered when it arrives, the same ones the published
    schema lists."""
    errors: list[InitErrorDetails] = []
    descriptor = _descriptor_of(platform, fold=not required)
    if descriptor is None and (required or platform is not None):
        names = ", ".join(d.platform for d in descriptors())
        errors.append(
            _error("unknown_platform", "platform", "platform must be one of: {known}", known=names)
        )
    candidates = [descriptor] if descriptor is not None else descriptors()
    fields: dict[str, CredentialField] = {}
    for candidate in reversed(candidates):
        fields.update({f.name: f for f in candidate.fields})
    checked = dict(values)
    for name, value in values.items():
        if name in known:
            continue
        field = fields.get(name)
        if field is None:
            label = descriptor.label if descriptor is not None else "any platform"
            errors.append(
                _error(
                    "extra_forbidden",
                    name,
                    "{field} is not a setting of a {label} store",
                    label=label,
                )
            )
        elif value is None or isinstance(value, SecretStr):
            continue
        elif not isinstance(value, str):
            errors.append(_error("string_type", name, "{field} must be a string"))
        else:
            text = value.strip()
            checked[name] = SecretStr(text) if field.secret else text
    api = values.get("api")
    if descriptor is not None and api is not None and api not in descriptor.apis:
        # Also a platform with a single API: only null fits it.
        apis = ", ".join(descriptor.apis) or "none"
        errors.append(
            _error(
                "unknown_api",
                "api",
                "api must be one of the platform's APIs: {apis}",
                apis=apis,
            )
        )
    if errors:
        raise ValidationError.from_exception_data(title, errors)
    return checked


class _ConnectionFields(BaseModel):
    """The connection settings a store is written with, besides its platform and URL: shared by
    the settings of a new store and by a change to one. The credential fields are the
    platform's (its descriptor's `fields`): they arrive as extra fields, checked here, secret
    ones kept as `SecretStr`."""

    model_config = ConfigDict(extra="allow", frozen=True, str_strip_whitespace=True)

    _printable = model_validator(mode="before")(_no_control_characters)

    api_version: str | None = None
    api: str | None = None
    """For a platform with several APIs (its descriptor's `apis`), the one to use."""

    _platform_required: ClassVar[bool] = True

    @model_validator(mode="before")
    @classmethod
    def _platform_credentials(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        return _credential_fields(
            cls.__name__,
            values,
            set(cls.model_fields),
            values.get("platform"),
            required=cls._platform_required,
        )

    def credentials(self) -> dict[str, Any]:
        """The credential fields given (secret ones as `SecretStr`)."""
        return {k: v for k, v in (self.__pydantic_extra__ or {}).items() if v is not None}


class StoreCredentials(_ConnectionFields):
    """A store's connection settings in the connector's flat format, without a name: what the
    wizard tests before saving. The credential fields are the platform's own; rules beyond
    their names (which set of them, the URL's shape) are the connector's, checked by the
    service."""

    platform: str
    store_url: str

    def connector_settings(self) -> dict[str, Any]:
        """The flat mapping `connector_config` takes, without the fields left out. Settings
        that name no API get the one the platform gives new stores (its descriptor's
        `default_api`), named explicitly so it is sealed with the store and never changes
        with a connector's default."""
        settings = _flat(self, {"name", "sync_interval_minutes"})
        descriptor = _descriptor_of(self.platform, fold=True)
        if "api" not in settings and descriptor is not None and descriptor.default_api:
            settings["api"] = descriptor.default_api
        return settings


class StoreCreate(StoreCredentials):
    """A new store: its connection settings, the name the merchant gives it and, optionally,
    its sync schedule (`sync_interval_minutes`: 15 to 10080, `None` for none)."""

    name: str = Field(min_length=1, max_length=200)
    sync_interval_minutes: int | None = _SYNC_INTERVAL_FIELD

    _interval = field_validator("sync_interval_minutes")(_sync_interval)


class StoreUpdate(_ConnectionFields):
    """A change to a store: only the fields given change. A store cannot move to another
    platform; `platform` is accepted (a form may send the whole store back) but must match.

    Changing the URL, API version or any credential tests the connection again; a change that
    gives one way to authenticate drops the other (the platform's descriptor says which).

    `sync_interval_minutes` changes the schedule when given, `None` included (no schedule);
    left out, the schedule stays."""

    _platform_required: ClassVar[bool] = False

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
    realtime: RealtimeStatus | None = None
    """Real-time updates (webhooks): `live`, `degraded` or `off`, with the reason (e.g. no
    public address, and how often the store is synced instead). Filled with `health`."""


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
    remedy: Remedy | None = None
    """What to do about a failure (fix_settings, fix_request, retry, report); `None` on
    success."""
    request_id: str | None = None
    """The platform's id of the failed request, when it sent one, for its support."""
    store_info: dict[str, Any] | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def error(self) -> ConnectionCheckError | None:
        """`{code, message}` when the test failed: the shape the service's JSON gives."""
        if self.success or self.error_code is None:
            return None
        return ConnectionCheckError(code=self.error_code, message=self.error_message or "")
