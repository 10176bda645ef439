"""`OPTIONS` answers an `Allow` header naming every method its path serves.

Litestar makes one `OPTIONS` handler per path when the path's first handlers are registered,
and that handler lists the methods known *then*; a path whose methods come from several
handlers (a controller's `GET /` and `POST /`) kept the first ones' list, so `OPTIONS
/api/stores` said `OPTIONS, POST`. `answer_options_with_every_method` points each path's
`OPTIONS` handler at the path's final list, once all routes are registered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from litestar import Litestar, Response
from litestar.enums import MediaType
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_204_NO_CONTENT
from litestar.types import AsyncAnyCallable, Scope

__all__ = ["answer_options_with_every_method"]


def answer_options_with_every_method(app: Litestar) -> None:
    """Make every path's automatic `OPTIONS` handler answer the methods the path serves."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        allow = ", ".join(sorted(route.methods))
        for handler in route.route_handlers:
            # Only Litestar's own handler (registered under this name); an app's own OPTIONS
            # handler answers what it likes.
            if handler.http_methods == {"OPTIONS"} and handler.handler_name == "options_handler":
                # Sync like Litestar's own: the route calls it without awaiting.
                handler._fn = cast("AsyncAnyCallable", _options(allow))


def _options(allow: str) -> Callable[[Scope], Response[None]]:
    def options_handler(scope: Scope) -> Response[None]:
        return Response(
            content=None,
            status_code=HTTP_204_NO_CONTENT,
            headers={"Allow": allow},
            media_type=MediaType.TEXT,
        )

    return options_handler
