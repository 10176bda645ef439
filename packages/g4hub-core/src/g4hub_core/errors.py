"""The core's errors, grouped by what the caller should do. None carries an HTTP status:
`hub_api/errors.py` maps each class to one, once.

    CoreError
     ├── NotFound            the thing does not exist, or belongs to another tenant
     ├── Conflict            it exists already, or is busy (an email taken, a sync running)
     ├── InvalidInput        the caller sent something wrong; `details` says what, per field
     ├── AccessDenied        a wrong login, or an action the user may not take
     ├── StoreConnectionFailed   the store refused or failed; carries the connector's error
     └── VaultError          a sealed credential cannot be opened (key missing, data tampered)

Every error has a stable `code` and a `message` written for a person. Messages never contain
secrets; `details` only names fields and problems, never echoes values.
"""

from __future__ import annotations

from typing import Any, ClassVar

from g4hub_connectors import ConnectionResult, ConnectorError, Remedy, remedy_for

__all__ = [
    "AccessDenied",
    "Conflict",
    "CoreError",
    "InvalidInput",
    "NotFound",
    "StoreConnectionFailed",
    "VaultError",
]


class CoreError(Exception):
    """Base of the core's errors."""

    default_code: ClassVar[str] = "error"

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details: dict[str, Any] = details or {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class NotFound(CoreError):
    default_code = "not_found"


class Conflict(CoreError):
    default_code = "conflict"


class InvalidInput(CoreError):
    default_code = "invalid_input"


class AccessDenied(CoreError):
    default_code = "access_denied"


class StoreConnectionFailed(CoreError):
    """The store did not accept the connection. `code` and `message` are the connector's
    (`invalid_credentials`, `timeout`, … and its `user_message`); `remedy` is its `Remedy` (what
    the caller should do: the one thing the API's status, the sync's retries and the dashboard's
    advice are chosen by); `request_id` is the platform's id of the failed request, when it sent
    one (also in `details`)."""

    default_code = "store_connection_failed"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        remedy: Remedy | None = None,
        request_id: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        details = dict(details or {})
        if request_id is not None:
            details.setdefault("request_id", request_id)
        super().__init__(message, code=code, details=details)
        # Without one, the remedy of the connector error class with this code.
        self.remedy = Remedy(remedy) if remedy is not None else remedy_for(code)
        self.request_id = request_id

    @property
    def retryable(self) -> bool:
        """Whether the same settings may work later (the remedy is `retry`)."""
        return self.remedy is Remedy.RETRY

    @classmethod
    def from_connector_error(cls, exc: ConnectorError) -> StoreConnectionFailed:
        return cls(
            exc.user_message,
            code=exc.code,
            remedy=exc.remedy,
            request_id=exc.request_id,
            details={"platform": exc.platform} if exc.platform else None,
        )

    @classmethod
    def from_result(cls, result: ConnectionResult) -> StoreConnectionFailed:
        """The failure a failed `test_connection` result describes."""
        return cls(
            result.error_message or "The store could not be reached.",
            code=result.error_code or cls.default_code,
            remedy=result.remedy,
            request_id=result.request_id,
            details={"platform": result.platform},
        )


class VaultError(CoreError):
    default_code = "vault_error"
