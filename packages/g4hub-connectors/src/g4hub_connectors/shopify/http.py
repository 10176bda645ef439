"""What Shopify's REST and GraphQL clients share on the wire: the access token on every request
(once more with a fresh token after a 401, for tokens that can be refreshed), the version Shopify
served compared with the one asked for, its deprecation reasons logged once, and its errors mapped
to the SDK's error tree: error bodies, a 404 where the Admin API always answers, a frozen (402) or
locked (423) shop."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

import httpx

from g4hub_connectors._http import ErrorBody, HTTPClient, redact_url
from g4hub_connectors.config import ShopifyConfig
from g4hub_connectors.errors import AuthenticationError, ConnectorError
from g4hub_connectors.shopify.auth import TokenProvider
from g4hub_connectors.shopify.errors import missing_api_error, parse_error_body, unavailable_error
from g4hub_connectors.shopify.versions import note_served_version

__all__ = [
    "DEPRECATION_HEADER",
    "TOKEN_HEADER",
    "VERSION_HEADER",
    "ShopifyHTTPClient",
    "is_admin_api",
]

logger = logging.getLogger("g4hub_connectors.shopify")

TOKEN_HEADER = "X-Shopify-Access-Token"  # noqa: S105 (a header name, not a secret)
VERSION_HEADER = "X-Shopify-API-Version"
DEPRECATION_HEADER = "X-Shopify-API-Deprecated-Reason"


def is_admin_api(url: httpx.URL) -> bool:
    return "/admin/api/" in url.path


class ShopifyHTTPClient(HTTPClient):
    """The base of both Shopify clients. Subclasses set `auth` and say, in `always_answers`, where
    a 404 means the version or the store is wrong rather than a record missing."""

    platform = "shopify"
    request_id_header = "X-Request-Id"
    # OAuth errors from the token endpoint carry a code; Admin API errors are classified by status.
    classify: ClassVar[Mapping[str, type[ConnectorError]]] = {
        "invalid_client": AuthenticationError,
        "unauthorized_client": AuthenticationError,
    }
    auth: TokenProvider

    def __init__(self, config: ShopifyConfig, http_client: httpx.AsyncClient | None) -> None:
        super().__init__(config, http_client)
        self.shop_config = config
        self.served_version: str | None = None
        """The version Shopify answered with last (it serves another for a retired one)."""
        self._warnings: dict[str, None] = {}
        self._reasons_logged: set[str] = set()

    def warnings(self) -> list[str]:
        return list(self._warnings)

    def always_answers(self, url: httpx.URL) -> bool:
        """Whether every store answers `url` at every served version."""
        raise NotImplementedError

    # -- answers ----------------------------------------------------------------------------------

    def note_answer(self, response: httpx.Response) -> None:
        """Record the version Shopify served (a warning for the merchant when it is not the one
        asked for) and log a deprecation reason the first time Shopify gives it."""
        served = response.headers.get(VERSION_HEADER)
        if served:
            self.served_version = served
            warning = note_served_version(self.config.api_version, served)
            if warning is not None and warning not in self._warnings:
                self._warnings[warning] = None
                logger.warning("%s (%s)", warning, self.config.store_url)
        reason = response.headers.get(DEPRECATION_HEADER)
        if reason and reason not in self._reasons_logged:
            self._reasons_logged.add(reason)
            logger.warning(
                "Shopify reports a deprecation for %s (API version %s): %s",
                redact_url(response.request.url.copy_with(query=None)),
                served or self.config.api_version,
                reason,
            )

    def parse_error(self, response: httpx.Response) -> ErrorBody:
        return parse_error_body(response)

    def error_for(self, response: httpx.Response) -> ConnectorError:
        status = response.status_code
        shown = redact_url(response.request.url)
        if status == 404 and self.always_answers(response.request.url):
            error = missing_api_error(
                response, shown, self.config.store_url, self.config.api_version
            )
        elif status in (402, 423):
            error = unavailable_error(response, shown)
        else:
            return super().error_for(response)
        # Errors built here skip the base class, which names the request for Shopify's support.
        error.request_id = self.request_id(response)
        return error

    # -- sending ----------------------------------------------------------------------------------

    async def call(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        idempotent: bool | None = None,
    ) -> tuple[Any, httpx.Response]:
        """One request with the access token: its decoded JSON body and the response. After a
        401, once more with a fresh token when the token can be refreshed (a 401 means nothing
        ran, so even a mutation may go again)."""
        for attempt in (1, 2):
            token = await self.auth.token()
            try:
                response = await self.send(
                    method,
                    url,
                    params=params,
                    json_body=json_body,
                    headers={TOKEN_HEADER: token},
                    idempotent=idempotent,
                )
                break
            except AuthenticationError:
                if attempt == 2 or not self.auth.refreshable:
                    raise
                self.auth.invalidate(token)
        return self.decode_json(response), response
