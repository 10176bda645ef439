"""Dependencies every controller shares: the unit of work for the request, and who asks."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from litestar import Request
from litestar.di import Provide

from g4hub_core import Hub, Unit
from hub_api.auth.principal import Principal

__all__ = ["dependencies"]


async def provide_hub(request: Request[Any, Any, Any]) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


async def provide_principal(request: Request[Principal, Any, Any]) -> Principal:
    return request.user


async def provide_unit(
    request: Request[Principal, Any, Any],
) -> AsyncGenerator[Unit, None]:
    """The signed-in tenant's unit of work. It commits after the handler returns, before the
    response is sent; an error in the handler rolls it back."""
    hub: Hub = request.app.state.hub
    async with hub.unit(request.user.tenant_id) as unit:
        yield unit


async def provide_anonymous_unit(request: Request[Any, Any, Any]) -> AsyncGenerator[Unit, None]:
    """A unit without a tenant: registration and sign-in."""
    hub: Hub = request.app.state.hub
    async with hub.unit() as unit:
        yield unit


dependencies = {
    "hub": Provide(provide_hub),
    "principal": Provide(provide_principal),
    "unit": Provide(provide_unit),
    "anonymous_unit": Provide(provide_anonymous_unit),
}
