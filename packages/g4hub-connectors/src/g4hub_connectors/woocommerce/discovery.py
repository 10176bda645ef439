"""Finding the WooCommerce REST API of a WordPress site, from its REST index.

`GET {store}/wp-json/` (no credentials) names the site and lists the API namespaces. With plain
permalinks that path is a 404 page, and the same index answers at `/index.php?rest_route=/`; but
WooCommerce reads API keys only on request URIs under `wp-json/wc/`, so on such a site every keyed
request would run as a guest (401): that is `PermalinksRequiredError`, never a fallback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
from pydantic import ValidationError

from g4hub_connectors._http import redact_url
from g4hub_connectors.errors import (
    APIVersionError,
    AuthenticationError,
    InvalidStoreURLError,
    NotFoundError,
    PermalinksRequiredError,
    PermissionDeniedError,
    UnexpectedResponseError,
)
from g4hub_connectors.woocommerce.payloads import WPIndex

if TYPE_CHECKING:
    from g4hub_connectors.woocommerce.client import WooCommerceClient

__all__ = ["INDEX_CLOSED_WARNING", "check_namespaces", "read_index"]

PLATFORM = "woocommerce"
# Real indexes list every route of every plugin (often hundreds of KB); these are enough.
_INDEX_FIELDS = "name,description,url,home,timezone_string,namespaces"

INDEX_CLOSED_WARNING = (
    "Your store hides its WordPress REST API index from visitors (a security plugin?), so its "
    "name could not be read and WooCommerce's presence was not checked in advance."
)


async def read_index(client: WooCommerceClient) -> WPIndex | None:
    """The index at `/wp-json/`; `None` when a security plugin closes it to visitors.

    When `/wp-json/` is missing, the plain-permalinks index tells a WordPress site (raises
    `PermalinksRequiredError`, or the namespace check's error when WooCommerce is not there) from
    anything else (`InvalidStoreURLError`, saying what each path answered).
    """
    store_url = client.store_url
    pretty = f"{store_url}/wp-json/"
    params = [("_fields", _INDEX_FIELDS)]
    try:
        return _parse(client, await client.send("GET", pretty, params=params))
    except (NotFoundError, UnexpectedResponseError):
        first = f"{pretty} answered {client.last_answer()}"
    except (AuthenticationError, PermissionDeniedError):
        client.warn(INDEX_CLOSED_WARNING)
        return None
    plain = f"{store_url}/index.php"
    try:
        response = await client.send("GET", plain, params=[("rest_route", "/"), *params])
        index = _parse(client, response)
    except (AuthenticationError, PermissionDeniedError):
        # A WP_Error from WordPress's REST server: the site is WordPress, its index closed.
        raise _permalinks_required(store_url, first) from None
    except (NotFoundError, UnexpectedResponseError):
        second = f"{plain}?rest_route=/ answered {client.last_answer()}"
        raise InvalidStoreURLError(
            f"no WordPress REST API: {first}; {second}",
            platform=PLATFORM,
            user_message=(
                f"We couldn't find WordPress's REST API at {store_url}: {first}, and {second}. "
                "Please check the address: it should be your WordPress site's address, like "
                "https://mystore.com."
            ),
        ) from None
    check_namespaces(index, store_url=store_url, api_version=client.api_version)
    raise _permalinks_required(store_url, first)


def _permalinks_required(store_url: str, first: str) -> PermalinksRequiredError:
    return PermalinksRequiredError(
        f"{first}, while {store_url}/index.php?rest_route=/ answers: WordPress on plain "
        "permalinks, where WooCommerce does not accept API keys",
        platform=PLATFORM,
    )


def _parse(client: WooCommerceClient, response: httpx.Response) -> WPIndex:
    data = client.decode_json(response)
    if isinstance(data, dict) and isinstance(data.get("namespaces"), list):
        try:
            return WPIndex.model_validate(data)
        except ValidationError:
            pass
    shown = redact_url(response.request.url)
    raise UnexpectedResponseError(
        f"{response.status_code} from {shown}: JSON that is not a WordPress REST API index",
        platform=PLATFORM,
        status_code=response.status_code,
        user_message=(
            f"{shown} answered with data that is not WordPress's REST API index. "
            "Please check the store address."
        ),
    )


def check_namespaces(index: WPIndex | None, *, store_url: str, api_version: str) -> None:
    """Raise unless the index lists `api_version` (or could not be read)."""
    if index is None or api_version in index.namespaces:
        return
    where = f"{store_url}/wp-json/"
    offered = sorted(ns for ns in index.namespaces if ns.startswith("wc/v"))
    if offered:
        listed = ", ".join(offered)
        raise APIVersionError(
            f"{where} lists {listed} but not {api_version}",
            platform=PLATFORM,
            user_message=(
                f"Your WooCommerce store does not serve the REST API version {api_version} "
                f"(it serves {listed}). Please update WooCommerce, or choose one of those "
                "versions."
            ),
        )
    raise InvalidStoreURLError(
        f"{where} lists no WooCommerce namespace ({len(index.namespaces)} namespaces)",
        platform=PLATFORM,
        user_message=(
            f"{store_url} is a WordPress site, but WooCommerce's REST API is not there: its API "
            "index lists no wc/ namespace. Please check that WooCommerce is installed and active."
        ),
    )
