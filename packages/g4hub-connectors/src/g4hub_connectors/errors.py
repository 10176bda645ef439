"""Every error a connector raises, grouped by what the caller should do about it.

    ConnectorError                      code                      remedy
    ├── ConfigurationError              (fix the store's settings)  fix_settings
    │   ├── AuthenticationError         invalid_credentials
    │   ├── PermissionDeniedError       permission_denied         (.missing_scopes)
    │   ├── InvalidStoreURLError        invalid_store_url
    │   ├── PermalinksRequiredError     permalinks_required       (WordPress on "Plain" permalinks)
    │   ├── APIVersionError             api_version_unsupported
    │   ├── StoreUnavailableError       store_unavailable         (frozen, unpaid or locked shop)
    │   └── InvalidConfigError          invalid_config            (.problems; also a ValueError)
    ├── NotFoundError                   not_found                 fix_request
    ├── InvalidRequestError             invalid_request           fix_request
    ├── WriteConflictError              write_conflict            fix_request (.fields)
    ├── WriteNotAppliedError            write_not_applied         fix_request (.ignored_fields)
    ├── TransientError                  (wait and retry; the SDK already did)  retry
    │   ├── RateLimitedError            rate_limited              (.retry_after)
    │   ├── ConnectorTimeoutError       timeout
    │   └── PlatformUnavailableError    platform_unavailable
    └── UnexpectedResponseError         unexpected_response       report (the store or we are wrong)
        └── ResponseTooLargeError       response_too_large

Every error carries a stable `code`, a `remedy` (one of `Remedy`: what the caller should do), a
`user_message` fit to show a merchant, the `platform`, the HTTP `status_code` when there was one,
the platform's `request_id` when it sent one, and `retryable`. `str(error)` is the technical
detail for logs; it never contains a secret, because errors are built from status, platform
error codes and URLs that the HTTP layer has already stripped of credentials.

`error_from_response` is the one place an HTTP response becomes an exception.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from g4hub_connectors.descriptor import PlatformDescriptor

__all__ = [
    "APIVersionError",
    "AuthenticationError",
    "ConfigurationError",
    "ConnectorError",
    "ConnectorTimeoutError",
    "InvalidConfigError",
    "InvalidRequestError",
    "InvalidStoreURLError",
    "NotFoundError",
    "PermalinksRequiredError",
    "PermissionDeniedError",
    "PlatformUnavailableError",
    "RateLimitedError",
    "Remedy",
    "ResponseTooLargeError",
    "StoreUnavailableError",
    "TransientError",
    "UnexpectedResponseError",
    "WriteConflictError",
    "WriteNotAppliedError",
    "error_from_response",
    "platform_label",
    "remedy_for",
]


class Remedy(StrEnum):
    """What the caller should do about an error; the one source for retries, HTTP statuses and
    the advice a dashboard gives."""

    FIX_SETTINGS = "fix_settings"
    """The store's settings (URL, keys, permissions, version) must change before a retry helps."""
    FIX_REQUEST = "fix_request"
    """The request itself was refused or not applied; sending it again unchanged will not help."""
    RETRY = "retry"
    """A passing problem: the same request later is expected to work."""
    REPORT = "report"
    """The store answered something the API does not document: a plugin, a proxy, or our bug."""


def _descriptor(platform: str | None) -> PlatformDescriptor | None:
    if platform is None:
        return None
    # Imported here: the registry imports the connectors, which import this module.
    from g4hub_connectors.registry import find_descriptor

    return find_descriptor(platform)


def platform_label(platform: str | None) -> str:
    """The platform's name as a merchant writes it ("WooCommerce", from its descriptor), or
    "online" when unknown."""
    if platform is None:
        return "online"
    descriptor = _descriptor(platform)
    return descriptor.label if descriptor is not None else platform.title()


class ConnectorError(Exception):
    """Base of every connector error. Catch this to handle them all."""

    code: str = "connector_error"
    remedy: Remedy = Remedy.REPORT
    retryable: bool = False

    def __init__(
        self,
        detail: str,
        *,
        platform: str | None = None,
        status_code: int | None = None,
        user_message: str | None = None,
        platform_code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.platform = platform
        self.status_code = status_code
        self.platform_code = platform_code
        self.request_id = request_id
        """The platform's id for the failed request (Shopify's `X-Request-Id`), for its support."""
        self.user_message = (
            user_message or self._platform_message(platform) or self.default_user_message(platform)
        )

    def _platform_message(self, platform: str | None) -> str | None:
        descriptor = _descriptor(platform)
        if descriptor is None:
            return None
        return descriptor.message(self.code, self.message_context())

    def message_context(self) -> dict[str, Any]:
        """Values a platform's message template for this error may name (`{scopes}`)."""
        return {}

    def default_user_message(self, platform: str | None) -> str:
        return f"Something went wrong talking to your {platform_label(platform)} store."

    def __str__(self) -> str:
        # The request id goes with the detail into every log line, for the platform's support.
        if self.request_id:
            return f"{self.detail} [request id {self.request_id}]"
        return self.detail

    def __repr__(self) -> str:
        request_id = f", request_id={self.request_id!r}" if self.request_id else ""
        return (
            f"{type(self).__name__}(code={self.code!r}, platform={self.platform!r}, "
            f"status_code={self.status_code!r}, detail={self.detail!r}{request_id})"
        )


class ConfigurationError(ConnectorError):
    """The store's settings are wrong: the merchant must change them before retrying helps."""

    remedy = Remedy.FIX_SETTINGS


class AuthenticationError(ConfigurationError):
    code = "invalid_credentials"

    def default_user_message(self, platform: str | None) -> str:
        return (
            f"Unable to connect to your {platform_label(platform)} store. "
            "Please check your credentials."
        )


class PermissionDeniedError(ConfigurationError):
    """Valid credentials lacking a permission (a Shopify scope, a WooCommerce write key)."""

    code = "permission_denied"

    def __init__(self, detail: str, *, missing_scopes: Sequence[str] = (), **kwargs: Any) -> None:
        self.missing_scopes: tuple[str, ...] = tuple(missing_scopes)
        super().__init__(detail, **kwargs)

    def message_context(self) -> dict[str, Any]:
        return {
            "scopes": ", ".join(f"'{s}'" for s in self.missing_scopes) or "'read_products'",
            "scope_noun": "scopes" if len(self.missing_scopes) > 1 else "scope",
        }

    def default_user_message(self, platform: str | None) -> str:
        return (
            f"Your {platform_label(platform)} store credentials don't have the permission "
            "this needs."
        )


class InvalidStoreURLError(ConfigurationError):
    code = "invalid_store_url"

    def default_user_message(self, platform: str | None) -> str:
        return f"This doesn't look like a {platform_label(platform)} store address."


class APIVersionError(ConfigurationError):
    code = "api_version_unsupported"

    def default_user_message(self, platform: str | None) -> str:
        return (
            f"Your {platform_label(platform)} store does not serve the requested API version. "
            "Please choose a supported version."
        )


class StoreUnavailableError(ConfigurationError):
    """The store exists, but its platform refuses service until the merchant acts (a Shopify shop
    frozen for an unpaid bill, or locked). Retrying does not help; the `user_message` says what to
    do."""

    code = "store_unavailable"

    def default_user_message(self, platform: str | None) -> str:
        return (
            f"Your {platform_label(platform)} store is not available to apps right now. "
            "Please check the store's status in its admin."
        )


class InvalidConfigError(ConfigurationError, ValueError):
    """The config given to `create_connector` is incomplete or malformed (never echoes values)."""

    code = "invalid_config"

    def __init__(self, detail: str, *, problems: Sequence[str] = (), **kwargs: Any) -> None:
        self.problems = list(problems)
        super().__init__(detail, **kwargs)

    @classmethod
    def from_problems(cls, platform: str | None, problems: Sequence[str]) -> InvalidConfigError:
        text = "; ".join(problems)
        return cls(
            text,
            problems=problems,
            platform=platform,
            user_message=f"The store settings are incomplete or invalid: {text}.",
        )

    def default_user_message(self, platform: str | None) -> str:
        return "The store settings are incomplete or invalid."


class PermalinksRequiredError(ConfigurationError):
    """WordPress serves no `/wp-json/` route: it runs on "Plain" permalinks, and WooCommerce
    authenticates API keys only under `wp-json/wc/`, so no fallback route can work."""

    code = "permalinks_required"

    def default_user_message(self, platform: str | None) -> str:
        return (
            'Your WordPress site has its REST API switched off by "Plain" permalinks, so '
            "WooCommerce cannot accept API keys. In WordPress, go to Settings → Permalinks, choose "
            'any setting other than "Plain" (for example "Post name"), save, and try again.'
        )


class NotFoundError(ConnectorError):
    code = "not_found"
    remedy = Remedy.FIX_REQUEST

    def default_user_message(self, platform: str | None) -> str:
        return f"That item does not exist in your {platform_label(platform)} store."


class InvalidRequestError(ConnectorError):
    """The store refused the values sent (a 400 or 422 with field errors)."""

    code = "invalid_request"
    remedy = Remedy.FIX_REQUEST

    def __init__(
        self, detail: str, *, fields: Mapping[str, object] | None = None, **kwargs: Any
    ) -> None:
        self.fields = dict(fields or {})
        super().__init__(detail, **kwargs)

    def default_user_message(self, platform: str | None) -> str:
        return f"Your {platform_label(platform)} store rejected the values sent: {self.detail}"


class WriteConflictError(ConnectorError):
    """The store's value changed since the caller read it (a compare-and-set refused, such as
    Shopify's stale `changeFromQuantity`): nothing was written. Re-read and decide again."""

    code = "write_conflict"
    remedy = Remedy.FIX_REQUEST

    def __init__(
        self, detail: str, *, fields: Mapping[str, object] | None = None, **kwargs: Any
    ) -> None:
        self.fields = dict(fields or {})
        """Per field, the value the store holds now, when it said."""
        super().__init__(detail, **kwargs)

    def default_user_message(self, platform: str | None) -> str:
        return (
            f"The value changed in your {platform_label(platform)} store since it was read, so "
            "nothing was written. Please review the current value and try again."
        )


class WriteNotAppliedError(ConnectorError):
    """The store answered success but did not apply some of the values sent (compared on the
    store's own answer or a re-read). `ignored_fields` names them; `applied` is what the store
    holds now, as a normalized `Product` when the connector has it."""

    code = "write_not_applied"
    remedy = Remedy.FIX_REQUEST

    def __init__(
        self,
        detail: str,
        *,
        ignored_fields: Sequence[str] = (),
        applied: object | None = None,
        **kwargs: Any,
    ) -> None:
        self.ignored_fields: tuple[str, ...] = tuple(ignored_fields)
        self.applied = applied
        super().__init__(detail, **kwargs)

    def default_user_message(self, platform: str | None) -> str:
        fields = ", ".join(self.ignored_fields) or "some values"
        return (
            f"Your {platform_label(platform)} store accepted the change but did not apply: "
            f"{fields}. Its current values were kept."
        )


class TransientError(ConnectorError):
    """A passing problem. The SDK retries these itself; seeing one means the retries ran out."""

    remedy = Remedy.RETRY
    retryable = True


class RateLimitedError(TransientError):
    code = "rate_limited"

    def __init__(self, detail: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(detail, **kwargs)

    def default_user_message(self, platform: str | None) -> str:
        return (
            f"Your {platform_label(platform)} store is limiting how fast we can call it. "
            "Please try again in a minute."
        )


class ConnectorTimeoutError(TransientError):
    code = "timeout"

    def default_user_message(self, platform: str | None) -> str:
        return (
            f"Your {platform_label(platform)} store did not answer in time. "
            "Please check that it is online and try again."
        )


class PlatformUnavailableError(TransientError):
    code = "platform_unavailable"

    def default_user_message(self, platform: str | None) -> str:
        return (
            f"We couldn't reach your {platform_label(platform)} store: it is down or refusing "
            "connections. Please check that it is online and try again."
        )


class UnexpectedResponseError(ConnectorError):
    code = "unexpected_response"

    def default_user_message(self, platform: str | None) -> str:
        return (
            f"Your {platform_label(platform)} store sent an answer we did not expect. "
            "A plugin, firewall or maintenance page may be in the way."
        )


class ResponseTooLargeError(UnexpectedResponseError):
    """The store's answer passed the connector's size cap (`max_response_bytes`)."""

    code = "response_too_large"

    def default_user_message(self, platform: str | None) -> str:
        return (
            f"Your {platform_label(platform)} store sent an answer far larger than expected, so "
            "it was stopped. A plugin or proxy may be adding to every response."
        )


def remedy_for(code: str | None) -> Remedy:
    """The remedy of the error class whose `code` this is (`REPORT` for a code none has): for a
    caller holding only a code, so the remedy still comes from this one tree."""
    pending: list[type[ConnectorError]] = [ConnectorError]
    while pending:
        cls = pending.pop()
        if cls.code == code:
            return cls.remedy
        pending.extend(cls.__subclasses__())
    return Remedy.REPORT


def error_from_response(
    response: httpx.Response,
    *,
    platform: str,
    url: str,
    platform_code: str | None = None,
    message: str | None = None,
    missing_scopes: Sequence[str] = (),
    retry_after: float | None = None,
    classify: Mapping[str, type[ConnectorError]] | None = None,
    request_id: str | None = None,
) -> ConnectorError:
    """Turn a failed response into the matching `ConnectorError`.

    The platform clients parse their own error bodies (WP_Error JSON, Shopify's `errors`) into
    `platform_code`, `message` and `missing_scopes`; `classify` maps a platform code to a class and
    wins over the status, because stores answer in their own language and only codes are stable.
    `url` must already be free of credentials. `request_id` is the platform's id for the request
    (Shopify's `X-Request-Id`), kept on the error for the platform's support.
    """
    status = response.status_code
    detail = f"{status} from {url}"
    if platform_code:
        detail += f" ({platform_code})"
    if message:
        detail += f": {message}"
    common: dict[str, Any] = {
        "platform": platform,
        "status_code": status,
        "platform_code": platform_code,
        "request_id": request_id,
    }

    cls: type[ConnectorError] | None = (classify or {}).get(platform_code or "")
    if cls is None:
        if status == 401:
            cls = AuthenticationError
        elif status == 403:
            cls = PermissionDeniedError
        elif status in (404, 410):
            cls = NotFoundError
        elif status in (400, 409, 413, 422):
            cls = InvalidRequestError
        elif status == 429:
            cls = RateLimitedError
        elif status in (408, 504, 524):
            cls = ConnectorTimeoutError
        elif status >= 500:
            cls = PlatformUnavailableError
        else:
            cls = UnexpectedResponseError
    if cls is PermissionDeniedError:
        return PermissionDeniedError(detail, missing_scopes=missing_scopes, **common)
    if cls is RateLimitedError:
        return RateLimitedError(detail, retry_after=retry_after, **common)
    return cls(detail, **common)
