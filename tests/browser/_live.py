"""A live hub for browser tests: the real app under uvicorn on 127.0.0.1:<free port>, in a thread.

The server runs its own event loop in its own thread (migrations first, then the app with its
lifespan, so the embedded runner really syncs), away from pytest-asyncio's loop and from
Playwright's. Every response the app sends (static files aside) is recorded, so a test can check
that no page, redirect or JSON view carried a traceback or a credential, including the ones the
browser only passed through.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, cast

import uvicorn

from g4hub_core import Hub, HubSettings
from hub_api.app import create_app
from hub_api.settings import ApiSettings

__all__ = ["LiveHub", "RecordedResponse"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass
class RecordedResponse:
    method: str
    path: str
    status: int
    content_type: str
    body: str


class _Recorder:
    """ASGI middleware keeping every response the app sends, except static files."""

    def __init__(self, app: Asgi) -> None:
        self.app = app
        self.responses: list[RecordedResponse] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        status = 0
        content_type = ""
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                for key, value in message.get("headers", []):
                    if key.lower() == b"content-type":
                        content_type = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, keep)
        finally:
            self.responses.append(
                RecordedResponse(
                    scope["method"],
                    scope["path"],
                    status,
                    content_type,
                    b"".join(chunks).decode("utf-8", "replace"),
                )
            )


class LiveHub:
    """The app served on a loopback port. `start()` returns once it answers; `stop()` shuts it
    down (the app's lifespan closes the hub). `url` is its base URL, `responses` what it sent.
    `migrate=False` when the database is already at the newest schema (a copy of a migrated one)."""

    def __init__(self, settings: HubSettings, api: ApiSettings, *, migrate: bool = True) -> None:
        self.settings = settings
        self._migrate = migrate
        self._recorder = _Recorder(cast(Asgi, create_app(settings, api)))
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._server = uvicorn.Server(
            uvicorn.Config(
                self._recorder,
                lifespan="on",
                log_config=None,
                access_log=False,
                server_header=False,
                # Chromium keeps connections open; do not wait long for them at shutdown.
                timeout_graceful_shutdown=3,
            )
        )
        self._thread = threading.Thread(target=self._run, name="live-hub", daemon=True)
        self._failure: BaseException | None = None

    @property
    def responses(self) -> list[RecordedResponse]:
        return list(self._recorder.responses)

    def start(self, timeout: float = 30.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if self._failure is not None or not self._thread.is_alive():
                raise RuntimeError(f"the live hub did not start: {self._failure!r}")
            if time.monotonic() > deadline:
                raise RuntimeError("the live hub did not start in time")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self._sock.close()
        if self._thread.is_alive():
            raise RuntimeError("the live hub did not stop")

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported by start(); the thread must not die silently
            self._failure = exc
            raise

    async def _main(self) -> None:
        if self._migrate:
            migrating = Hub(self.settings)
            await migrating.upgrade()
            await migrating.engine.dispose()
        await self._server.serve(sockets=[self._sock])
