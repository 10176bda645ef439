"""`GET /health` for load balancers: the process answers and the database is reachable.

200 `{"status": "ok", "database": "ok"}`; 503 `{"status": "unavailable", "database":
"unreachable"}` when a `SELECT 1` fails or takes longer than `DATABASE_TIMEOUT` seconds (a load
balancer should stop sending requests here, not wait on them).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy import text

from g4hub_core import Hub
from hub_api.auth.openapi import HealthOperation

__all__ = ["DATABASE_TIMEOUT", "health"]

DATABASE_TIMEOUT = 5.0

logger = logging.getLogger("hub_api.health")


@get(
    "/health",
    exclude_from_auth=True,
    operation_class=HealthOperation,
    tags=["health"],
    summary="Liveness and database check",
)
async def health(hub: NamedDependency[Hub]) -> Response[dict[str, Any]]:
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT), hub.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database means "not ready"
        # The class only: a driver's message may quote the connection string.
        logger.warning("health check: database unreachable (%s)", type(exc).__name__)
        return Response(
            {"status": "unavailable", "database": "unreachable"},
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Cache-Control": "no-store"},
        )
    return Response(
        {"status": "ok", "database": "ok"},
        status_code=HTTP_200_OK,
        headers={"Cache-Control": "no-store"},
    )
