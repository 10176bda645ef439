"""`/schema` is a reference a person can read offline: one page drawn on the server, naming every
operation, and nothing in it is fetched from another host."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient


async def test_the_reference_needs_nothing_from_another_host(client: AsyncTestClient[Any]) -> None:
    page = await client.get("/schema")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = page.text
    # No script at all, and no stylesheet, font, image or frame from anywhere but here.
    assert "<script" not in text
    assert not re.search(r'(src|href)="(https?:)?//', text)
    for operation in ("/api/stores", "/api/dashboard/overview", "/api/auth/login"):
        assert f"<code>{operation}</code>" in text
    assert 'href="/schema/openapi.json"' in text
    document = await client.get("/schema/openapi.json")
    assert document.status_code == 200
    assert document.json()["info"]["title"] == "G4 Hub API"
