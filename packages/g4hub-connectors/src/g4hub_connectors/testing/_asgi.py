"""The small ASGI core the fake stores share: requests, responses, faults, latency, a request log.

Fake stores are plain ASGI apps, so they run in-process through `FakeStore.transport()` (an httpx
transport that also enforces timeouts and turns dropped connections into the errors httpx raises on
a real network) or on a loopback port through `FakeStore.serve()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import parse_qsl

import httpx

from g4hub_connectors.testing._images import product_image

__all__ = ["FakeStore", "Fault", "FaultKind", "Request", "Response"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

FaultKind = Literal["status", "html", "truncated", "empty", "drop", "hang"]


@dataclass
class Request:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    scheme: str
    host: str

    def param(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return default

    def params(self, name: str) -> list[str]:
        return [value for key, value in self.query if key == name]

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}"


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def json(
        cls, data: Any, status: int = 200, headers: list[tuple[str, str]] | None = None
    ) -> Response:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        return cls(
            status, body, [("content-type", "application/json; charset=utf-8"), *(headers or [])]
        )

    @classmethod
    def html(cls, title: str, status: int = 200) -> Response:
        page = (
            f"<!DOCTYPE html><html><head><title>{title}</title></head>"
            f"<body><h1>{title}</h1><p>This page is served instead of the API.</p></body></html>"
        )
        return cls(status, page.encode(), [("content-type", "text/html; charset=UTF-8")])


@dataclass
class Fault:
    """A misbehaviour the store injects into matching requests.

    - `status`: answer `status` with `body` (default: the platform's own error body) and `headers`.
    - `html`: answer an HTML page (a firewall or maintenance page) with `status`.
    - `truncated`: the real answer, cut in half.
    - `empty`: the status with no body.
    - `drop`: close the connection mid-answer.
    - `hang`: answer nothing for `seconds` (the client's timeout fires first).

    `path` matches a substring of the path, `method` the verb. The first `after` matching requests
    pass untouched; then `times` of them (every one if `None`) get the fault.
    """

    kind: FaultKind = "status"
    status: int = 500
    body: bytes | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    path: str | None = None
    method: str | None = None
    times: int | None = 1
    after: int = 0
    seconds: float = 3600.0
    seen: int = 0
    fired: int = 0

    def matches(self, request: Request) -> bool:
        if self.path is not None and self.path not in request.path:
            return False
        return self.method is None or self.method.upper() == request.method

    def take(self, request: Request) -> bool:
        """Count a matching request; True when this one gets the fault."""
        if not self.matches(request):
            return False
        self.seen += 1
        if self.seen <= self.after:
            return False
        if self.times is not None and self.fired >= self.times:
            return False
        self.fired += 1
        return True


class _Drop(Exception):
    """Raised by the app to close the connection mid-answer."""


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    at: float


class FakeStore(ABC):
    """Base of the fake stores: an ASGI app with latency, faults and a log of what it was asked.

    `latency` (seconds) delays every answer. `faults` holds `Fault`s, tried in order. `requests`
    lists every request received (for assertions such as "one request per page").
    """

    default_url: str = "https://fake-store.example"

    def __init__(self, *, latency: float = 0.0) -> None:
        self.latency = latency
        self.faults: list[Fault] = []
        self.requests: list[LoggedRequest] = []
        self._served_url: str | None = None

    # -- what platforms implement ---------------------------------------------------------------

    @abstractmethod
    async def handle(self, request: Request) -> Response:
        """Answer one request as the platform would."""

    def fault_body(self, status: int) -> Response:
        """The platform's own error body for an injected status."""
        return Response.json({"error": f"injected {status}"}, status)

    # -- the catalog, for tests' assertions ----------------------------------------------------

    @abstractmethod
    def credentials(self, **overrides: Any) -> dict[str, Any]:
        """The flat config for `create_connector`: platform, `store_url` (this store's `url`),
        valid credentials; `overrides` replace or add keys."""

    @abstractmethod
    def wrong_credentials(self) -> dict[str, Any]:
        """Like `credentials()`, with well-formed credentials the store does not know."""

    @abstractmethod
    def product_ids(self) -> list[str]:
        """Ids of every product now in the catalog, as the connector reports them."""

    @abstractmethod
    def ids_updated_since(self, since: datetime) -> set[str]:
        """Ids of products whose last change is strictly after `since`."""

    @abstractmethod
    def variable_product_ids(self) -> set[str]:
        """Ids of products with more than one variant / with variations."""

    @abstractmethod
    def delete_product(self, product_id: str) -> None:
        """Remove a product, as a merchant deleting it in the admin would."""

    # -- configuration -------------------------------------------------------------------------

    def inject(self, kind: FaultKind = "status", **options: Any) -> Fault:
        """Add a fault (see `Fault`) and return it, so a test can read `fired` afterwards."""
        fault = Fault(kind=kind, **options)
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    @property
    def url(self) -> str:
        """Where connectors should point: the loopback URL while served, else `default_url`."""
        return self._served_url or self.default_url

    def count_requests(self, path_contains: str = "", method: str | None = None) -> int:
        return sum(
            1
            for r in self.requests
            if path_contains in r.path and (method is None or r.method == method)
        )

    # -- ASGI -----------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        request = await self._read(scope, receive)
        image = product_image(request)
        if image is not None:
            # Images are not the API: no latency, faults or log entry, so tests that count
            # requests or inject faults see only what the connector asked.
            await self._write(send, image)
            return
        self.requests.append(
            LoggedRequest(
                request.method, request.path, request.query, request.headers, time.monotonic()
            )
        )
        if self.latency:
            await asyncio.sleep(self.latency)
        fault = next((f for f in self.faults if f.take(request)), None)
        response = await self._faulted(fault, request) if fault else await self.handle(request)
        await self._write(send, response, drop=fault is not None and fault.kind == "drop")

    async def _faulted(self, fault: Fault, request: Request) -> Response:
        if fault.kind == "hang":
            await asyncio.sleep(fault.seconds)
            return Response(504)
        if fault.kind == "html":
            return Response.html("Service Temporarily Unavailable", fault.status)
        if fault.kind == "empty":
            return Response(fault.status, b"", [("content-type", "application/json")])
        if fault.kind in ("truncated", "drop"):
            real = await self.handle(request)
            return Response(real.status, real.body[: max(len(real.body) // 2, 1)], real.headers)
        response = (
            self.fault_body(fault.status)
            if fault.body is None
            else Response(fault.status, fault.body, [("content-type", "application/json")])
        )
        response.headers.extend(fault.headers)
        return response

    @staticmethod
    async def _read(scope: Scope, receive: Receive) -> Request:
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        return Request(
            method=scope["method"],
            path=scope["path"],
            query=query,
            headers=headers,
            body=b"".join(chunks),
            scheme=scope.get("scheme", "http"),
            host=headers.get("host", "localhost"),
        )

    @staticmethod
    async def _write(send: Send, response: Response, *, drop: bool = False) -> None:
        headers = [(k.lower().encode(), v.encode()) for k, v in response.headers]
        length = len(response.body) * 2 if drop else len(response.body)
        headers.append((b"content-length", str(length).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body, "more_body": drop})
        if drop:
            raise _Drop("connection dropped by injected fault")

    # -- ways to reach it -------------------------------------------------------------------------

    def transport(self) -> httpx.AsyncBaseTransport:
        """An in-process httpx transport to this store (no socket)."""
        return FakeStoreTransport(self)

    def http_client(self, **kwargs: Any) -> httpx.AsyncClient:
        """An `httpx.AsyncClient` wired to this store in-process, for `create_connector`."""
        kwargs.setdefault("timeout", 30.0)
        return httpx.AsyncClient(transport=self.transport(), **kwargs)

    @contextlib.contextmanager
    def serve(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        tls_certfile: str | None = None,
        tls_keyfile: str | None = None,
    ) -> Iterator[str]:
        """Serve the store on a loopback port in a background thread; yields its URL.

        With a certificate and key the store answers HTTPS, as a staging store with a self-signed
        certificate would.
        """
        import socket

        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        config = uvicorn.Config(
            self,
            log_level="critical",
            lifespan="off",
            access_log=False,
            ssl_certfile=tls_certfile,
            ssl_keyfile=tls_keyfile,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("fake store did not start")
            time.sleep(0.01)
        bound_port = sock.getsockname()[1]
        scheme = "https" if tls_certfile else "http"
        self._served_url = f"{scheme}://{host}:{bound_port}"
        try:
            yield self._served_url
        finally:
            self._served_url = None
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()


class FakeStoreTransport(httpx.AsyncBaseTransport):
    """Runs requests through the store's ASGI app, behaving as a network would: the request's
    read timeout is enforced, and a dropped connection raises `httpx.RemoteProtocolError`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self._asgi = httpx.ASGITransport(app=store)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        limit = timeouts.get("read")
        try:
            if limit is None:
                response = await self._asgi.handle_async_request(request)
            else:
                response = await asyncio.wait_for(self._asgi.handle_async_request(request), limit)
            await response.aread()
        except TimeoutError:
            raise httpx.ReadTimeout("read timed out (fake store)", request=request) from None
        except _Drop:
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body", request=request
            ) from None
        return response
