"""HTTP calls to the Shopify GraphQL Admin API (`POST /admin/api/{version}/graphql.json`).

The client sends the `.graphql` documents shipped in `queries/`, adds the access token (refreshing
an expiring one), paces every query through the cost bucket, retries `THROTTLED` answers after the
time the bucket needs, notices when Shopify answers with another API version, and turns GraphQL
`errors` and `userErrors` into the SDK's errors by their codes, never by their message text.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from importlib import resources
from typing import Any

import httpx
from pydantic import TypeAdapter

from g4hub_connectors._http import redact_url
from g4hub_connectors.config import ShopifyConfig
from g4hub_connectors.errors import (
    AuthenticationError,
    ConnectorError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    PlatformUnavailableError,
    RateLimitedError,
    UnexpectedResponseError,
    WriteConflictError,
)
from g4hub_connectors.shopify.auth import (
    ClientCredentialsToken,
    ExpiringOfflineToken,
    StaticToken,
    TokenGrant,
)
from g4hub_connectors.shopify.http import TOKEN_HEADER, ShopifyHTTPClient, is_admin_api
from g4hub_connectors.shopify_graphql.pacing import CostPacer, ThrottleStatus
from g4hub_connectors.shopify_graphql.payloads import GraphQLError, GraphQLResponse, UserError

__all__ = ["GraphQLClient", "load_query"]

logger = logging.getLogger("g4hub_connectors.shopify_graphql")

THROTTLE_ATTEMPTS = 6
BLOCK_BYTES = 65_536
MAX_LINE_BYTES = 16 * 1024 * 1024
"""A bulk JSONL line longer than this is not a product: the download stops there."""

_SCOPE = re.compile(r"\b((?:unauthenticated_)?(?:read|write)_[a-z_]+)\b")
_FRAGMENTS = {"...ProductFields": "product_fields", "...VariantFields": "variant_fields"}
_NOT_FOUND_CODES = frozenset(
    {
        "PRODUCT_DOES_NOT_EXIST",
        "PRODUCT_NOT_EXIST",
        "PRODUCT_VARIANT_DOES_NOT_EXIST",
        "INVALID_INVENTORY_ITEM",
        "INVALID_LOCATION",
        "ITEM_NOT_STOCKED_AT_LOCATION",
    }
)
_CONFLICT_CODES = frozenset({"CHANGE_FROM_QUANTITY_STALE", "COMPARE_QUANTITY_STALE"})
_ENVELOPE: TypeAdapter[GraphQLResponse] = TypeAdapter(GraphQLResponse)


@functools.cache
def load_query(name: str) -> str:
    """The document `queries/{name}.graphql`, with the fragments it spreads appended."""
    folder = resources.files("g4hub_connectors.shopify_graphql") / "queries"
    text = (folder / f"{name}.graphql").read_text(encoding="utf-8")
    for spread, fragment in _FRAGMENTS.items():
        if spread in text:
            text += "\n" + (folder / f"{fragment}.graphql").read_text(encoding="utf-8")
    if "...VariantFields" in text and "fragment VariantFields" not in text:
        text += "\n" + (folder / "variant_fields.graphql").read_text(encoding="utf-8")
    return text


def _scopes(error: GraphQLError) -> tuple[str, ...]:
    # `requiredAccess` is the structured place Shopify names the scope; the message is not read.
    required = error.extensions.get("requiredAccess")
    return tuple(dict.fromkeys(_SCOPE.findall(required))) if isinstance(required, str) else ()


class GraphQLClient(ShopifyHTTPClient):
    """One Shopify store over the GraphQL Admin API, at `config.api_version`.

    `clock` and `sleep` drive the cost pacer, the throttling waits and the token cache (injectable
    so tests run long listings without waiting). `on_token_refresh` receives each grant of an
    expiring offline token (the rotated refresh token is in it).
    """

    classify = {
        "invalid_client": AuthenticationError,
        "unauthorized_client": AuthenticationError,
        "invalid_grant": AuthenticationError,
        "invalid_request": AuthenticationError,
    }

    def __init__(
        self,
        config: ShopifyConfig,
        http_client: httpx.AsyncClient | None,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        on_token_refresh: Callable[[TokenGrant], None] | None = None,
    ) -> None:
        super().__init__(config, http_client)
        self._sleep = sleep
        self.clock = clock
        self.pacer = CostPacer(clock=clock, sleep=sleep)
        if config.refresh_token is not None:
            self.auth = ExpiringOfflineToken(
                refresh_token=config.refresh_token.get_secret_value(),
                refresh=self._refresh_grant,
                access_token=(
                    config.access_token.get_secret_value() if config.access_token else None
                ),
                on_refresh=on_token_refresh,
                clock=clock,
            )
        elif config.access_token is not None:
            self.auth = StaticToken(config.access_token.get_secret_value())
        else:
            self.auth = ClientCredentialsToken(self._client_credentials_grant, clock=clock)
        self._costs: dict[tuple[Any, ...], float] = {}
        self.endpoint = f"{config.store_url}/admin/api/{config.api_version}/graphql.json"

    # -- hooks ------------------------------------------------------------------------------------

    def after_response(self, response: httpx.Response) -> None:
        if is_admin_api(response.request.url):
            self.note_answer(response)

    def always_answers(self, url: httpx.URL) -> bool:
        return url.path.endswith("/graphql.json")

    # -- sending ----------------------------------------------------------------------------------

    async def execute(
        self,
        name: str,
        variables: Mapping[str, Any] | None = None,
        *,
        estimate: float,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        """Run the document `name` and return its `data`.

        `estimate` is the requested cost assumed until Shopify has reported this query's real
        one. `idempotent=False` sends a mutation once, whatever happens to it.
        """
        variables = dict(variables or {})
        key = (name, *sorted((k, v) for k, v in variables.items() if isinstance(v, int)))
        body = {"query": load_query(name), "variables": variables}
        for attempt in range(1, THROTTLE_ATTEMPTS + 1):
            cost = self._costs.get(key, estimate)
            await self.pacer.reserve(cost)
            data, response = await self.call(
                "POST", self.endpoint, json_body=body, idempotent=idempotent
            )
            envelope = self.validate(response, data, _ENVELOPE, "a GraphQL answer")
            reported = envelope.cost()
            status = None
            if reported is not None:
                if reported.requestedQueryCost is not None:
                    self._costs[key] = reported.requestedQueryCost
                if reported.throttleStatus is not None:
                    ts = reported.throttleStatus
                    status = ThrottleStatus(
                        ts.maximumAvailable, ts.currentlyAvailable, ts.restoreRate
                    )
            codes = {error.code for error in envelope.errors}
            if "THROTTLED" in codes:
                wait = self.pacer.throttled(status, self._costs.get(key, cost))
                if attempt == THROTTLE_ATTEMPTS:
                    raise RateLimitedError(
                        f"{name}: still throttled after {attempt} attempts",
                        platform=self.platform,
                        platform_code="THROTTLED",
                        retry_after=wait,
                    )
                logger.info("%s throttled; waiting %.2f s for the bucket", name, wait)
                await self._sleep(wait)
                continue
            if status is not None:
                self.pacer.observe(status)
            if envelope.errors:
                raise self.graphql_error(name, envelope.errors, response)
            if envelope.data is None:
                raise self.unexpected(response, "a GraphQL answer without data")
            return envelope.data
        raise AssertionError("unreachable")  # pragma: no cover

    def graphql_error(
        self, name: str, errors: Sequence[GraphQLError], response: httpx.Response
    ) -> ConnectorError:
        """The error for an answer with top-level `errors`, chosen by `extensions.code`."""
        first = next((e for e in errors if e.code), errors[0])
        code = first.code
        detail = f"{name}: GraphQL error {code or 'without code'}: {first.message[:200]}"
        common: dict[str, Any] = {"platform": self.platform, "platform_code": code}
        if code == "ACCESS_DENIED":
            scopes = tuple(s for e in errors if e.code == code for s in _scopes(e))
            return PermissionDeniedError(detail, missing_scopes=scopes, **common)
        if code in ("INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT"):
            return PlatformUnavailableError(detail, **common)
        if code == "NOT_FOUND":
            return NotFoundError(detail, **common)
        # MAX_COST_EXCEEDED, a field this version lacks, a malformed query: ours to fix.
        return UnexpectedResponseError(
            detail,
            status_code=response.status_code,
            user_message=(
                "Your Shopify store refused a query of the GraphQL connector "
                f"({code or 'no code'}). Please report this; the store itself is fine."
            ),
            **common,
        )

    def user_error(self, name: str, errors: Sequence[UserError]) -> ConnectorError:
        """The error for a mutation's `userErrors`, chosen by their `code`."""
        codes = [e.code for e in errors if e.code]
        fields = {".".join(e.field or ["base"]): [e.message] for e in errors}
        detail = f"{name} refused: " + "; ".join(
            f"{e.code or 'no code'} at {'.'.join(e.field or ['base'])}" for e in errors
        )
        common: dict[str, Any] = {
            "platform": self.platform,
            "platform_code": codes[0] if codes else None,
        }
        if any(code in _CONFLICT_CODES for code in codes):
            return WriteConflictError(detail, fields=fields, **common)
        if codes and all(code in _NOT_FOUND_CODES for code in codes):
            return NotFoundError(detail, **common)
        return InvalidRequestError(detail, fields=fields, **common)

    # -- tokens -----------------------------------------------------------------------------------

    async def _token_request(self, form: dict[str, str]) -> TokenGrant:
        url = f"{self.config.store_url}/admin/oauth/access_token"
        try:
            response = await self.send("POST", url, form=form, idempotent=False)
        except (AuthenticationError, PermissionDeniedError, InvalidRequestError) as exc:
            raise AuthenticationError(
                f"token request refused: {exc.detail}",
                platform=self.platform,
                status_code=exc.status_code,
                platform_code=exc.platform_code,
                user_message=(
                    "Shopify refused the app's credentials. Please check the client ID and "
                    "secret in the Dev Dashboard, that the app is installed on this store, and "
                    "reconnect the store if its refresh token has expired."
                ),
            ) from None
        data = self.decode_json(response)
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise self.unexpected(response, "a token answer without an access token")
        refresh = data.get("refresh_token")
        expires = data.get("expires_in")
        refresh_expires = data.get("refresh_token_expires_in")
        return TokenGrant(
            access_token=token,
            scope=str(data.get("scope") or ""),
            expires_in=float(expires) if isinstance(expires, int | float) else None,
            refresh_token=refresh if isinstance(refresh, str) and refresh else None,
            refresh_token_expires_in=(
                float(refresh_expires) if isinstance(refresh_expires, int | float) else None
            ),
        )

    def _app(self) -> dict[str, str]:
        config = self.shop_config
        assert config.client_id is not None
        assert config.client_secret is not None
        return {
            "client_id": config.client_id,
            "client_secret": config.client_secret.get_secret_value(),
        }

    async def _client_credentials_grant(self) -> TokenGrant:
        return await self._token_request({"grant_type": "client_credentials", **self._app()})

    async def _refresh_grant(self, refresh_token: str) -> TokenGrant:
        # Not retried: a refresh that reached Shopify rotated the refresh token, and sending the
        # old one again would fail anyway.
        return await self._token_request(
            {"grant_type": "refresh_token", "refresh_token": refresh_token, **self._app()}
        )

    # -- bulk downloads ---------------------------------------------------------------------------

    async def stream_blocks(self, url: str) -> AsyncIterator[bytes]:
        """A bulk operation's JSONL file, in blocks of whole lines, as it streams in.

        The file lives on Shopify's storage host, signed in its URL: the request carries no
        access token (a token must never reach another host), and no header of ours at all.
        """
        target = httpx.URL(url)
        shown = redact_url(target.copy_with(query=None))
        if target.scheme != "https" and httpx.URL(self.config.store_url).scheme == "https":
            # A signed URL in plain HTTP would hand the catalog to anyone on the path.
            raise UnexpectedResponseError(
                f"bulk result URL is not HTTPS ({shown})", platform=self.platform
            )
        request = self._client.build_request("GET", url, timeout=self.config.timeout)
        request.headers.pop(TOKEN_HEADER, None)
        try:
            response = await self._client.send(request, stream=True)
        except httpx.TimeoutException:
            raise PlatformUnavailableError(
                f"GET {shown}: no answer from Shopify's bulk storage", platform=self.platform
            ) from None
        except httpx.TransportError as exc:
            raise PlatformUnavailableError(
                f"GET {shown}: bulk download failed ({type(exc).__name__})",
                platform=self.platform,
            ) from None
        try:
            if not response.is_success:
                raise PlatformUnavailableError(
                    f"GET {shown}: {response.status_code} from Shopify's bulk storage",
                    platform=self.platform,
                    status_code=response.status_code,
                )
            pending = b""
            try:
                # Blocks of about 64 KiB: a block's rows are parsed at once and held until
                # mapped, so a megabyte read from the socket would leave the processor's cache.
                async for chunk in response.aiter_bytes(BLOCK_BYTES):
                    pending += chunk
                    cut = pending.rfind(b"\n")
                    if cut == -1:
                        if len(pending) > MAX_LINE_BYTES:
                            raise self.unexpected(response, "a bulk JSONL line over 16 MiB")
                        continue
                    yield pending[: cut + 1]
                    pending = pending[cut + 1 :]
            except httpx.HTTPError as exc:
                raise PlatformUnavailableError(
                    f"GET {shown}: bulk download cut off ({type(exc).__name__})",
                    platform=self.platform,
                ) from None
            if pending.strip():
                yield pending
        finally:
            await response.aclose()

    async def pause(self, seconds: float) -> None:
        await self._sleep(seconds)
