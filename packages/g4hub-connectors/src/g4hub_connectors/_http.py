"""The HTTP layer every platform client stands on.

It owns (or borrows) the httpx client, applies the one retry policy, turns transport failures and
non-2xx answers into `ConnectorError`s, and decodes JSON bodies so that an HTML page, an empty or
a truncated body becomes a clear error instead of a decode traceback. Every request is bounded:
in time by `request_deadline` (retries and a dripping body included), in memory by
`max_response_bytes` (counted while the body streams in). URLs in messages and logs pass through
`redact_url` first, so query-string credentials never leak.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from pydantic import TypeAdapter, ValidationError

from g4hub_connectors._body import BodyProblem, BodyTooLarge, describe_body, parse_json, read_capped
from g4hub_connectors._retry import may_retry
from g4hub_connectors.config import ConnectorConfig
from g4hub_connectors.errors import (
    ConnectorError,
    ConnectorTimeoutError,
    InvalidStoreURLError,
    PlatformUnavailableError,
    ResponseTooLargeError,
    UnexpectedResponseError,
    error_from_response,
    platform_label,
)

logger = logging.getLogger("g4hub_connectors.http")

# The platform clients import it from here.
_describe_body = describe_body

T = TypeVar("T")

_SECRET_PARAMS = frozenset(
    {
        "consumer_key",
        "consumer_secret",
        "oauth_signature",
        "oauth_consumer_key",
        "access_token",
        "client_secret",
        "password",
        "token",
    }
)


def address_of(url: str | httpx.URL) -> str:
    """The URL without its query: what a merchant needs to know of a request (the query holds
    paging and signing parameters that only make a message long)."""
    return urlunsplit(urlsplit(str(url))._replace(query="", fragment=""))


def redact_url(url: str | httpx.URL) -> str:
    """The URL with credential-bearing query parameters masked."""
    parts = urlsplit(str(url))
    if not parts.query:
        return str(url)
    query = [
        (k, "***" if k.lower() in _SECRET_PARAMS else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="/*")))


@dataclass(frozen=True)
class ErrorBody:
    """What a platform's error body says, parsed by the platform client."""

    code: str | None = None
    message: str | None = None
    missing_scopes: Sequence[str] = field(default_factory=tuple)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None  # An HTTP date: rare from these platforms; fall back to the backoff.


class HTTPClient(ABC):
    """Base of the platform clients: one store, one config, one httpx client."""

    platform: ClassVar[str]
    classify: ClassVar[Mapping[str, type[ConnectorError]]] = {}
    """Platform error codes → error classes; these win over the HTTP status."""
    request_id_header: ClassVar[str | None] = None
    """The header in which the platform names each request for its support (`X-Request-Id`)."""

    def __init__(self, config: ConnectorConfig, http_client: httpx.AsyncClient | None) -> None:
        self.config = config
        self._owns_client = http_client is None
        self._client = http_client or self._build_client(config)

    @staticmethod
    def _build_client(config: ConnectorConfig) -> httpx.AsyncClient:
        verify: ssl.SSLContext | bool = config.verify_tls
        if config.ca_bundle:
            verify = ssl.create_default_context(cafile=config.ca_bundle)
        return httpx.AsyncClient(
            timeout=httpx.Timeout(config.timeout),
            verify=verify,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=max(config.max_concurrency * 2, 10)),
            headers={"User-Agent": "g4hub-connectors/0.1 (+httpx)"},
        )

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    # -- hooks for platform clients -------------------------------------------------------------

    @abstractmethod
    def parse_error(self, response: httpx.Response) -> ErrorBody:
        """Read the platform's error body; must not raise on any body."""

    async def before_send(self, request: httpx.Request) -> None:  # noqa: B027 (optional hook)
        """Called before each attempt; Shopify paces its leaky bucket here."""

    def after_response(self, response: httpx.Response) -> None:  # noqa: B027 (optional hook)
        """Called after each answer, success or not; Shopify reads its bucket here."""

    # -- sending ----------------------------------------------------------------------------------

    async def send(
        self,
        method: str,
        url: str,
        *,
        params: httpx.QueryParams | Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
        idempotent: bool | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """Send one logical request, with retries, and return a 2xx response, body read, or raise.

        The body is `json_body` as JSON, or `form` URL-encoded (OAuth token endpoints want that).
        Failures in passing are retried as `may_retry(method, idempotent=idempotent)` allows.
        The whole request, retries included, ends within `config.request_deadline` seconds
        (`ConnectorTimeoutError`); a body over `config.max_response_bytes` ends in
        `ResponseTooLargeError` before more of it is read.
        """
        request = self._client.build_request(
            method,
            url,
            params=params,
            json=json_body,
            data=form,
            headers=headers,
            # The store's configured timeout holds even on a client the caller passed in.
            timeout=timeout if timeout is not None else self.config.timeout,
        )

        async def attempt() -> httpx.Response:
            return await self._attempt(request, auth)

        deadline = self.config.request_deadline
        limit = asyncio.timeout(deadline)
        try:
            async with limit:
                return await self.config.retry.call(
                    attempt,
                    idempotent=may_retry(method, idempotent=idempotent),
                    give_up_at=asyncio.get_running_loop().time() + deadline,
                )
        except TimeoutError:
            if not limit.expired():
                raise
            shown = redact_url(request.url)
            logger.info("%s %s passed its %g s deadline", request.method, shown, deadline)
            raise ConnectorTimeoutError(
                f"{request.method} {shown}: no complete answer within the {deadline:g} s "
                "request deadline (request_deadline)",
                platform=self.platform,
                user_message=(
                    f"Your {platform_label(self.platform)} store took longer than {deadline:g} "
                    "seconds to answer one request, so it was stopped. Please check that it is "
                    "online and not overloaded, and try again."
                ),
            ) from None

    async def _attempt(self, request: httpx.Request, auth: httpx.Auth | None) -> httpx.Response:
        shown = redact_url(request.url)
        await self.before_send(request)
        started = time.perf_counter()
        try:
            response = await self._client.send(
                request, auth=auth or httpx.USE_CLIENT_DEFAULT, stream=True
            )
            try:
                # The answer's headers feed pacing even when its body turns out unusable.
                self.after_response(response)
                body = await read_capped(response, self.config.max_response_bytes)
            finally:
                await response.aclose()
        except httpx.TimeoutException as exc:
            logger.info("%s %s timed out (%s)", request.method, shown, type(exc).__name__)
            raise ConnectorTimeoutError(
                f"{request.method} {shown}: no answer within {self.config.timeout:g} s "
                f"({type(exc).__name__})",
                platform=self.platform,
            ) from None
        except httpx.TransportError as exc:
            raise self._transport_error(request, exc) from None
        except BodyTooLarge as exc:
            logger.warning("%s %s: %s", request.method, shown, exc.what)
            raise ResponseTooLargeError(
                f"{response.status_code} from {shown}: {exc.what}",
                platform=self.platform,
                status_code=response.status_code,
                request_id=self.request_id(response),
                user_message=(
                    f"Your {platform_label(self.platform)} store answered {shown} with {exc.what}, "
                    "so reading stopped there. A plugin or proxy adding to every answer usually "
                    "causes this; the cap is the store's max_response_bytes setting."
                ),
            ) from None
        # What httpx's own `aread` would have stored: the response now reads like a loaded one.
        response._content = body
        elapsed_ms = (time.perf_counter() - started) * 1000
        logger.debug(
            "%s %s -> %s in %.0f ms", request.method, shown, response.status_code, elapsed_ms
        )
        if response.is_success:
            return response
        raise self.error_for(response)

    def request_id(self, response: httpx.Response) -> str | None:
        """The platform's id for the request that got `response`, when it sent one."""
        if self.request_id_header is None:
            return None
        value = response.headers.get(self.request_id_header, "").strip()
        # Only an id's characters, and not a page of them: a header is store-controlled text.
        return value[:128] if value and value.isprintable() else None

    def error_for(self, response: httpx.Response) -> ConnectorError:
        """The exception for a non-2xx response (the only place one is built)."""
        shown = redact_url(response.request.url)
        if response.is_redirect:
            location = redact_url(response.headers.get("location", "?"))
            return InvalidStoreURLError(
                f"{response.status_code} redirect from {shown} to {location}",
                platform=self.platform,
                status_code=response.status_code,
                user_message=(
                    f"The store address redirects to {location}. "
                    "Please enter the address the store really answers at."
                ),
            )
        body = self.parse_error(response)
        return error_from_response(
            response,
            platform=self.platform,
            url=shown,
            platform_code=body.code,
            message=body.message,
            missing_scopes=body.missing_scopes,
            retry_after=_retry_after(response),
            classify=self.classify,
            request_id=self.request_id(response),
        )

    def _transport_error(self, request: httpx.Request, exc: httpx.TransportError) -> ConnectorError:
        shown = redact_url(request.url)
        label = platform_label(self.platform)
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, socket.gaierror):
                return InvalidStoreURLError(
                    f"{request.method} {shown}: host not found ({cause})",
                    platform=self.platform,
                    user_message=(
                        f"We couldn't find {request.url.host}. Please check the spelling of "
                        f"your {label} store's address."
                    ),
                )
            if isinstance(cause, ssl.SSLCertVerificationError):
                return PlatformUnavailableError(
                    f"{request.method} {shown}: TLS certificate not trusted "
                    f"({cause.verify_message})",
                    platform=self.platform,
                    user_message=(
                        f"Your {label} store's security certificate could not be verified "
                        f"({cause.verify_message}). Install a valid certificate, or give the "
                        "connector the store's CA bundle."
                    ),
                )
            cause = cause.__cause__ or cause.__context__
        kind = "connection refused or dropped"
        if isinstance(exc, httpx.ConnectError):
            kind = "could not connect"
        elif isinstance(exc, httpx.RemoteProtocolError):
            kind = "connection dropped mid-answer"
        logger.info("%s %s failed: %s (%s)", request.method, shown, kind, type(exc).__name__)
        return PlatformUnavailableError(
            f"{request.method} {shown}: {kind} ({type(exc).__name__}: {exc})",
            platform=self.platform,
        )

    # -- bodies -----------------------------------------------------------------------------------

    def unexpected_user_message(self, shown: str, what: str) -> str | None:
        """The merchant's sentence for an answer the API does not document (`None`: the default)."""
        return None

    def unexpected(self, response: httpx.Response, what: str) -> UnexpectedResponseError:
        """The error for a well-formed answer that is not what the API documents; `what` says
        what came instead."""
        shown = redact_url(response.request.url)
        return UnexpectedResponseError(
            f"{response.status_code} from {shown}: {what}",
            platform=self.platform,
            status_code=response.status_code,
            request_id=self.request_id(response),
            user_message=self.unexpected_user_message(shown, what),
        )

    def validate(
        self, response: httpx.Response, data: Any, adapter: TypeAdapter[T], what: str
    ) -> T:
        """`data` validated by `adapter`, or an `UnexpectedResponseError` naming the first
        problem (never the offending value: it may hold a secret)."""
        try:
            return adapter.validate_python(data)
        except ValidationError as exc:
            first = exc.errors(include_input=False, include_url=False)[0]
            where = ".".join(map(str, first["loc"])) or "body"
            count = exc.error_count()
            problems = f"{count} problem{'s' if count > 1 else ''}; {where}: {first['msg']}"
            raise self.unexpected(response, f"JSON that is not {what} ({problems})") from None

    def decode_json(self, response: httpx.Response) -> Any:
        """The body as JSON, or an `UnexpectedResponseError` that says what came back instead."""
        shown = redact_url(response.request.url)
        address = address_of(response.request.url)
        body = response.content
        ctype = response.headers.get("content-type", "")
        looks_html = "html" in ctype or body.lstrip()[:1] == b"<"
        if not looks_html and body.strip():
            try:
                return parse_json(body)
            except BodyProblem as exc:
                what = exc.what
            raise UnexpectedResponseError(
                f"{response.status_code} from {shown}: {what}",
                platform=self.platform,
                status_code=response.status_code,
                request_id=self.request_id(response),
                user_message=(
                    f"Your {platform_label(self.platform)} store's answer from {address} was "
                    f"unreadable: {what}. A plugin printing into API answers, or a connection "
                    "cut short, usually causes this; try again, and check the store's error log."
                ),
            )
        what = describe_body(response)
        raise UnexpectedResponseError(
            f"{response.status_code} from {shown}: expected JSON, got {what}",
            platform=self.platform,
            status_code=response.status_code,
            request_id=self.request_id(response),
            user_message=(
                f"Your {platform_label(self.platform)} store answered {address} with {what} "
                "instead of API data. A firewall, security plugin, maintenance mode or a wrong "
                "address may be in the way."
            ),
        )
