"""How Shopify's REST errors read: its error bodies, and the statuses that mean more than the
shared mapping knows (a 404 where a resource always exists, a frozen or locked shop)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx

from g4hub_connectors._body import BodyProblem, parse_json
from g4hub_connectors._http import ErrorBody
from g4hub_connectors.config import DEFAULT_SHOPIFY_API_VERSION
from g4hub_connectors.errors import (
    APIVersionError,
    ConnectorError,
    InvalidStoreURLError,
    StoreUnavailableError,
)

__all__ = [
    "error_fields",
    "is_always_there",
    "missing_api_error",
    "parse_error_body",
    "unavailable_error",
]

PLATFORM = "shopify"
# Shopify names the missing scope only in this sentence; everything else is classified by status.
_SCOPE_IN_MESSAGE = re.compile(r"requires merchant approval for ([a-z_]+) scope")
# Endpoints that exist on every store for every served version: a 404 there means the version
# path (or the whole store) is wrong, not a missing record.
_ALWAYS_THERE = ("/shop.json", "/products.json", "/products/count.json", "/locations.json")


def _json_or_none(response: httpx.Response) -> Any:
    # Bounded like every other body: an error page nested thousands of levels deep is no error
    # body, and must not exhaust the stack while the real error is built.
    try:
        return parse_json(response.content)
    except BodyProblem:
        return None


def _errors_text(errors: Any) -> str:
    if isinstance(errors, str):
        return errors
    if isinstance(errors, Mapping):
        parts = []
        for key, value in errors.items():
            text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            parts.append(f"{key}: {text}")
        return "; ".join(parts)
    if isinstance(errors, list):
        return "; ".join(map(str, errors))
    return ""


def parse_error_body(response: httpx.Response) -> ErrorBody:
    """`{"errors": ...}` (a string, a field map or a list) or OAuth's `{"error": code}`; never
    raises, whatever the body."""
    data = _json_or_none(response)
    if not isinstance(data, dict):
        return ErrorBody()
    oauth_code = data.get("error")
    if isinstance(oauth_code, str):
        description = data.get("error_description")
        return ErrorBody(
            code=oauth_code, message=description if isinstance(description, str) else None
        )
    message = _errors_text(data.get("errors"))[:300]
    scopes = _SCOPE_IN_MESSAGE.findall(message) if response.status_code == 403 else []
    return ErrorBody(message=message or None, missing_scopes=tuple(scopes))


def error_fields(response: httpx.Response) -> dict[str, object]:
    """A 422's `{"errors": {"field": ["message"]}}` as field → messages (`base` for the rest)."""
    data = _json_or_none(response)
    errors = data.get("errors") if isinstance(data, dict) else None
    if isinstance(errors, Mapping):
        return {
            str(k): list(map(str, v)) if isinstance(v, list) else [str(v)]
            for k, v in errors.items()
        }
    if isinstance(errors, list):
        return {"base": [str(e) for e in errors]}
    if isinstance(errors, str):
        return {"base": [errors]}
    return {}


def is_always_there(url: httpx.URL) -> bool:
    return "/admin/api/" in url.path and url.path.endswith(_ALWAYS_THERE)


def missing_api_error(
    response: httpx.Response, shown: str, store_url: str, version: str
) -> ConnectorError:
    """A 404 where every store answers: JSON means the version is not served, anything else
    that no Shopify store is there."""
    if isinstance(_json_or_none(response), dict):
        return APIVersionError(
            f"404 from {shown}: the store does not serve API version {version}",
            platform=PLATFORM,
            status_code=404,
            user_message=(
                f"Your Shopify store does not serve API version {version}. Please choose a "
                "supported version (they are named by quarter, like "
                f"{DEFAULT_SHOPIFY_API_VERSION})."
            ),
        )
    return InvalidStoreURLError(
        f"404 from {shown}: no Shopify Admin API there",
        platform=PLATFORM,
        status_code=404,
        user_message=(
            f"No Shopify store answers at {store_url}. Please check the store's myshopify.com "
            "address."
        ),
    )


def unavailable_error(response: httpx.Response, shown: str) -> StoreUnavailableError:
    """402 (frozen: an unpaid bill) and 423 (locked): the merchant must act, retrying won't do."""
    body = parse_error_body(response)
    detail = f"{response.status_code} from {shown}"
    if body.message:
        detail += f": {body.message}"
    if response.status_code == 402:
        user_message = (
            "Your Shopify store is frozen: Shopify blocks apps until the store's outstanding "
            "bill is paid. Please settle it in the Shopify admin, then try again."
        )
    else:
        user_message = (
            "Your Shopify store is locked, so Shopify refuses apps for now. Please check the "
            "store's status in the Shopify admin or with Shopify support."
        )
    return StoreUnavailableError(
        detail, platform=PLATFORM, status_code=response.status_code, user_message=user_message
    )
