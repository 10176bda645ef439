"""WooCommerce's errors: WP_Error bodies, and what to make of answers that are not one."""

from __future__ import annotations

import json

import httpx
from pydantic import ValidationError

from g4hub_connectors._http import _describe_body, redact_url
from g4hub_connectors.errors import (
    AuthenticationError,
    ConnectorError,
    InvalidRequestError,
    NotFoundError,
    UnexpectedResponseError,
)
from g4hub_connectors.woocommerce.payloads import WPError

__all__ = ["CLASSIFY", "add_fields", "describe_answer", "not_api_data", "read_wp_error"]

PLATFORM = "woocommerce"

CLASSIFY: dict[str, type[ConnectorError]] = {
    # Also a read-only key writing; `WooCommerceClient.write` tells the two apart.
    "woocommerce_rest_authentication_error": AuthenticationError,
    "woocommerce_rest_authentication_missing_parameter": AuthenticationError,
    # Updating a missing product answers 400 with this code, reading one 404: both not found.
    "woocommerce_rest_product_invalid_id": NotFoundError,
    "woocommerce_rest_product_variation_invalid_id": NotFoundError,
    "rest_invalid_param": InvalidRequestError,
    "rest_missing_callback_param": InvalidRequestError,
    "woocommerce_rest_request_entity_too_large": InvalidRequestError,
}
"""Codes whose class does not follow from the status. `woocommerce_rest_cannot_view` does: 401
for a guest (an unknown key, or a stripped header) and 403 for a user without the capability."""


def read_wp_error(response: httpx.Response) -> WPError | None:
    """The WP_Error in the body, or `None` when the body is not one."""
    try:
        data = json.loads(response.content)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("code"), str):
        return None
    try:
        return WPError.model_validate(data)
    except ValidationError:
        message = data.get("message")
        return WPError(code=data["code"], message=message if isinstance(message, str) else None)


def describe_answer(response: httpx.Response) -> str:
    """An answer in a few words: "404 (rest_no_route)", "404 with an HTML page titled …"."""
    error = read_wp_error(response)
    if error is not None:
        return f"{response.status_code} ({error.code})"
    return f"{response.status_code} with {_describe_body(response)}"


def not_api_data(response: httpx.Response) -> UnexpectedResponseError | None:
    """The error for a 4xx that is not a WP_Error: a firewall's page, a server's own error page,
    HTTP auth in front of a staging site. `None` for WP_Errors, redirects, 408, 429 and 5xx,
    whose status says enough."""
    status = response.status_code
    if response.is_redirect or status >= 500 or status in (408, 429):
        return None
    if read_wp_error(response) is not None:
        return None
    shown = redact_url(response.request.url)
    what = _describe_body(response)
    return UnexpectedResponseError(
        f"{status} from {shown}: expected a WordPress error (JSON), got {what}",
        platform=PLATFORM,
        status_code=status,
        user_message=(
            f"Your WooCommerce store answered {shown} with {status} and {what} instead of API "
            "data. A firewall, security plugin, maintenance mode or a wrong address may be in "
            "the way."
        ),
    )


def add_fields(exc: ConnectorError, response: httpx.Response) -> ConnectorError:
    """`rest_invalid_param` names the refused parameters in `data.params`: keep them."""
    error = read_wp_error(response)
    params = error.data.params if error is not None and error.data is not None else None
    if isinstance(exc, InvalidRequestError) and params:
        exc.fields = dict(params)
        problems = "; ".join(f"{name}: {problem}" for name, problem in params.items())
        exc.user_message = f"Your WooCommerce store refused the values sent ({problems})."
    return exc
