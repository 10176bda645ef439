"""The web server of `g4hub serve` and `g4hub demo`: the app under uvicorn on a socket bound
first (so a port in use is a one-line error), stopping on SIGINT/SIGTERM, logging set up once.
The helpers every command shares live in `hub_api.process` (re-exported here)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable, Iterator

import uvicorn

from g4hub_core import Hub
from hub_api.app import create_app
from hub_api.logging import configure_logging
from hub_api.process import (
    CliError,
    database_label,
    head_revision,
    require_schema,
    say,
    stop_signals,
)
from hub_api.settings import ApiSettings

__all__ = [
    "CliError",
    "bind",
    "database_label",
    "head_revision",
    "public_url",
    "require_schema",
    "say",
    "serve_app",
    "stop_signals",
]


class _Server(uvicorn.Server):
    """uvicorn's server without its own signal handling: `stop_signals` drives it, so a
    signal stops the server and the command goes on to shut down what else it runs."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self.ready.set()


def bind(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A socket bound to `host:port` (0: a free port), or `CliError` saying why not. With
    `reuse_port`, other sockets of this user may bind the same port with it too
    (`SO_REUSEPORT`)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        hint = " (another program uses it; pick another with --port)" if port else ""
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror or exc}{hint}") from None
    return sock


def public_url(sock: socket.socket) -> str:
    """The URL a browser on this machine opens for the bound socket."""
    host, port = sock.getsockname()[:2]
    if host in ("0.0.0.0", ""):  # noqa: S104 (reading the address, not choosing it)
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


async def serve_app(
    hub: Hub,
    api: ApiSettings,
    *,
    on_ready: Callable[[str], None],
    before_start: Callable[[], None] | None = None,
    listening: socket.socket | None = None,
    migrate: bool = True,
) -> None:
    """Bind `api.host:api.port` (unless given the bound socket `listening`, which it closes),
    call `before_start()`, migrate the hub's database (unless not `migrate`), then serve the
    app until SIGINT or SIGTERM; `on_ready(url)` once it answers. The app's lifespan starts
    and closes the hub."""
    configure_logging(api)
    listening = listening or bind(api.host, api.port)
    try:
        if before_start is not None:
            before_start()
        if migrate:
            await hub.upgrade()
        app = create_app(api_settings=api, hub=hub)
        config = uvicorn.Config(
            app,
            lifespan="on",
            log_config=None,
            access_log=False,
            server_header=False,
            # The peer stays the socket's: the app believes X-Forwarded-For only from
            # G4HUB_TRUSTED_PROXIES (hub_api.auth.addresses), not uvicorn from 127.0.0.1.
            proxy_headers=False,
        )
        server = _Server(config)

        def stop(count: int) -> None:
            server.should_exit = True
            if count > 1:  # a second Ctrl-C: stop waiting for open connections
                server.force_exit = True

        with stop_signals(stop):
            serving = asyncio.create_task(server.serve(sockets=[listening]))
            ready = asyncio.create_task(server.ready.wait())
            await asyncio.wait({serving, ready}, return_when=asyncio.FIRST_COMPLETED)
            ready.cancel()
            if server.ready.is_set():
                on_ready(public_url(listening))
            try:
                await serving
            except SystemExit:  # uvicorn's answer to a failed startup, logged above
                raise CliError("the server could not start (see the log above)") from None
    finally:
        listening.close()
        await hub.engine.dispose()
