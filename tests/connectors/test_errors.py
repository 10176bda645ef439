"""One function maps a response to an error; classes carry codes and messages fit for a merchant."""

from __future__ import annotations

import httpx
import pytest

import g4hub_connectors as gc
from g4hub_connectors.errors import error_from_response


def response(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status, headers=headers, request=httpx.Request("GET", "https://s.example")
    )


@pytest.mark.parametrize(
    ("status", "cls", "code"),
    [
        (401, gc.AuthenticationError, "invalid_credentials"),
        (403, gc.PermissionDeniedError, "permission_denied"),
        (404, gc.NotFoundError, "not_found"),
        (400, gc.InvalidRequestError, "invalid_request"),
        (422, gc.InvalidRequestError, "invalid_request"),
        (429, gc.RateLimitedError, "rate_limited"),
        (500, gc.PlatformUnavailableError, "platform_unavailable"),
        (503, gc.PlatformUnavailableError, "platform_unavailable"),
        (504, gc.ConnectorTimeoutError, "timeout"),
        (418, gc.UnexpectedResponseError, "unexpected_response"),
    ],
)
def test_status_decides_when_the_platform_code_does_not(
    status: int, cls: type[gc.ConnectorError], code: str
) -> None:
    error = error_from_response(response(status), platform="woocommerce", url="https://s.example")
    assert type(error) is cls
    assert error.code == code
    assert error.status_code == status
    assert error.retryable == isinstance(error, gc.TransientError)


def test_the_platform_code_wins_over_the_status() -> None:
    error = error_from_response(
        response(401),
        platform="woocommerce",
        url="https://s.example",
        platform_code="woocommerce_rest_cannot_edit",
        classify={"woocommerce_rest_cannot_edit": gc.PermissionDeniedError},
    )
    assert isinstance(error, gc.PermissionDeniedError)
    assert error.platform_code == "woocommerce_rest_cannot_edit"


def test_the_seed_messages() -> None:
    woo = gc.AuthenticationError("401", platform="woocommerce")
    assert woo.user_message == (
        "Unable to connect to your WooCommerce store. Please check your Consumer Key and Secret."
    )
    scope = gc.PermissionDeniedError("403", platform="shopify", missing_scopes=["read_products"])
    assert scope.user_message == (
        "Your Shopify access token doesn't have required permissions. "
        "Please regenerate with 'read_products' scope."
    )


def test_retry_after_is_carried() -> None:
    error = error_from_response(
        response(429), platform="shopify", url="https://s.example", retry_after=2.0
    )
    assert isinstance(error, gc.RateLimitedError)
    assert error.retry_after == 2.0


def test_the_tree_groups_errors_by_remedy() -> None:
    for cls in (
        gc.AuthenticationError,
        gc.PermissionDeniedError,
        gc.InvalidStoreURLError,
        gc.APIVersionError,
        gc.InvalidConfigError,
        gc.StoreUnavailableError,
    ):
        assert issubclass(cls, gc.ConfigurationError)
        assert not cls.retryable
    for cls in (gc.RateLimitedError, gc.ConnectorTimeoutError, gc.PlatformUnavailableError):
        assert issubclass(cls, gc.TransientError)
        assert cls.retryable


def test_every_concrete_error_has_its_own_stable_code() -> None:
    def leaves(cls: type[gc.ConnectorError]) -> list[type[gc.ConnectorError]]:
        subs = cls.__subclasses__()
        return [leaf for sub in subs for leaf in leaves(sub)] if subs else [cls]

    codes = [cls.code for cls in leaves(gc.ConnectorError)]
    assert len(codes) == len(set(codes)) == 15
    assert "connector_error" not in codes


def test_every_error_says_what_to_do_and_retryable_agrees() -> None:
    def every(cls: type[gc.ConnectorError]) -> list[type[gc.ConnectorError]]:
        return [cls, *(sub for child in cls.__subclasses__() for sub in every(child))]

    for cls in every(gc.ConnectorError):
        assert isinstance(cls.remedy, gc.Remedy)
        assert cls.retryable == (cls.remedy is gc.Remedy.RETRY), cls
    assert gc.AuthenticationError.remedy is gc.Remedy.FIX_SETTINGS
    assert gc.PermalinksRequiredError.remedy is gc.Remedy.FIX_SETTINGS
    assert gc.WriteNotAppliedError.remedy is gc.Remedy.FIX_REQUEST
    assert gc.ResponseTooLargeError.remedy is gc.Remedy.REPORT


def test_repr_names_the_class_and_code() -> None:
    error = gc.NotFoundError("404 from https://s.example/x", platform="shopify", status_code=404)
    assert repr(error).startswith("NotFoundError(code='not_found', platform='shopify'")
