"""Structured logs: a request id on every line, one access line per request, JSON or plain text.

    configure_logging(api_settings)          # once, at process start (`g4hub serve` does it)

`RequestContextMiddleware` is the outermost layer of the app (`create_app` installs it): it gives
each request an id (the caller's `X-Request-ID` when it is a sane short token, else a new one),
echoes it in the response, keeps it in a context variable for `RequestIdFilter`, and writes the
access line when the response is done.

What is never logged: headers (so no `Authorization`, no cookies), bodies, query strings (a
client may put a key there). The access line names only the method, the path, the status and the
time taken.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from hub_api.settings import ApiSettings

__all__ = [
    "REQUEST_ID_HEADER",
    "JsonFormatter",
    "RequestContextMiddleware",
    "RequestIdFilter",
    "configure_logging",
    "current_request_id",
]

REQUEST_ID_HEADER = "X-Request-ID"
ACCESS_LOGGER = "hub_api.access"

_request_id: ContextVar[str | None] = ContextVar("g4hub_request_id", default=None)

# An id from the caller is kept only when it cannot forge log lines or bloat them.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
_MAX_PATH_LENGTH = 512

# Fields the access line carries as attributes; the JSON formatter emits those present.
_REQUEST_FIELDS = ("method", "path", "status", "duration_ms")


def current_request_id() -> str | None:
    """The id of the request being served in this context, `None` outside requests."""
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record (`"-"` outside a request). Attach it to handlers: a
    handler's filters see the records of every logger that reaches it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, and for the access
    line method, path, status and duration_ms; a traceback as `exception`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        for field in _REQUEST_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


PLAIN_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"


class _HubHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler `configure_logging` installs; told apart so a second call replaces it."""


def configure_logging(settings: ApiSettings, *, stream: IO[str] | None = None) -> None:
    """Send every logger's records to `stream` (stderr by default) at `settings.log_level`, as
    JSON lines when `settings.log_json`, else plain text, each with its request id.

    Calling it again replaces what it installed; handlers others put on the root logger stay.
    uvicorn's loggers are routed here too, and its access log is silenced: it would log query
    strings, and `RequestContextMiddleware` writes the access line instead. httpcore stays at
    WARNING even when debugging, as its DEBUG lines hold request headers.
    """
    handler = _HubHandler(stream if stream is not None else sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if settings.log_json else logging.Formatter(PLAIN_FORMAT))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _HubHandler)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error"):
        server_logger = logging.getLogger(name)
        server_logger.handlers.clear()
        server_logger.propagate = True
    # httpcore's DEBUG lines carry raw request headers (the stores' Authorization among them).
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers.clear()
    uvicorn_access.propagate = False
    uvicorn_access.disabled = True


def _request_id_from(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _SANE_REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


_WEBHOOK_ENDPOINT = re.compile(r"^(/webhooks/[^/]+/)[^/]+")


def _loggable_path(scope: Scope) -> str:
    # The decoded path may hold anything a client typed, newlines included.
    path = _CONTROL_CHARACTERS.sub("?", str(scope.get("path", "")))
    # A webhook endpoint's last segment is its address's secret part (hub_api.webhooks).
    path = _WEBHOOK_ENDPOINT.sub(r"\1…", path)
    return path[:_MAX_PATH_LENGTH]


class RequestContextMiddleware:
    """Pure ASGI, around everything else (routing and error handling included), so unknown
    routes and unhandled errors get an id and an access line too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._access = logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = _request_id_from(scope)
        token = _request_id.set(request_id)
        started = time.perf_counter()
        status = 500  # what the server answers if the app fails before starting a response

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            method = str(scope.get("method", "-"))
            path = _loggable_path(scope)
            self._access.info(
                "%s %s %s %.1fms",
                method,
                path,
                status,
                duration_ms,
                extra={
                    "method": method,
                    "path": path,
                    "status": status,
                    "duration_ms": duration_ms,
                    "request_id": request_id,
                },
            )
            _request_id.reset(token)
