"""A loopback for webhook deliveries in the core's tests: an httpx client whose requests reach
`hub.webhooks.receive` as the API's endpoint would hand them over (path, headers, raw body)."""

from __future__ import annotations

import httpx

from g4hub_core import Hub

PUBLIC_URL = "https://hub.example"


def delivery_client(hub: Hub, *, refuse: bool = False) -> httpx.AsyncClient:
    """Deliveries to `PUBLIC_URL/webhooks/{platform}/{token}` go to `hub`; with `refuse`, every
    one is answered 503 (a hub that is down)."""

    async def handle(request: httpx.Request) -> httpx.Response:
        if refuse:
            return httpx.Response(503)
        parts = request.url.path.strip("/").split("/")
        assert parts[0] == "webhooks", request.url
        received = await hub.webhooks.receive(
            parts[1], parts[2], dict(request.headers), request.content
        )
        status = {"bad_signature": 401, "unknown_endpoint": 404, "invalid": 400}
        return httpx.Response(status.get(received.outcome, 200), json={"outcome": received.outcome})

    return httpx.AsyncClient(transport=httpx.MockTransport(handle))
