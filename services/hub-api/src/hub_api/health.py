"""`GET /health` for load balancers: the process answers and the database is reachable."""

from __future__ import annotations

from typing import Any

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy import text

from g4hub_core import Hub

__all__ = ["health"]


@get("/health", exclude_from_auth=True, tags=["health"], summary="Liveness and database check")
async def health(hub: NamedDependency[Hub]) -> Response[dict[str, Any]]:
    try:
        async with hub.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not ready"
        return Response(
            {"status": "unavailable", "database": "unreachable"},
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
        )
    return Response({"status": "ok", "database": "ok"}, status_code=HTTP_200_OK)
