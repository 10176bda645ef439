"""Steps the web pages' tests share: signing up through the forms, reading hidden fields, walking
the add-store wizard without JavaScript (as a browser without scripts would), waiting for syncs."""

from __future__ import annotations

import asyncio
import html
import re
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import httpx
from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeStore
from tests.api.conftest import PASSWORD

__all__ = [
    "WebUser",
    "add_store",
    "alert_text",
    "by_testid",
    "field_value",
    "page_text",
    "post_form",
    "sign_up",
    "store_id_of",
    "wait_for_sync",
    "wizard_test",
]

# Bounds on waiting, never assertions about speed.
SYNC_TIMEOUT = 60.0


@dataclass(frozen=True)
class WebUser:
    """A signed-in browser session: the client's cookie jar holds it; `csrf` goes in forms."""

    email: str
    csrf: str


def field_value(page: str, name: str) -> str:
    """The value of the (first) input named `name` in `page`."""
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', page)
    assert match, f"no {name} field on the page"
    return html.unescape(match.group(1))


async def post_form(
    client: AsyncTestClient[Any], url: str, data: dict[str, str], **kwargs: Any
) -> httpx.Response:
    """POST a form as a browser does (urlencoded, no redirects followed)."""
    return await client.post(url, data=data, follow_redirects=False, **kwargs)


async def sign_up(
    client: AsyncTestClient[Any], *, business: str = "Acme", email: str | None = None
) -> WebUser:
    """Register through `/register`; the client is then signed in by its cookies."""
    email = email or f"owner-{uuid.uuid4().hex[:8]}@example.com"
    response = await post_form(
        client, "/register", {"tenant_name": business, "email": email, "password": PASSWORD}
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/overview")
    overview = await client.get("/overview")
    assert overview.status_code == 200
    return WebUser(email=email, csrf=field_value(overview.text, "_csrf"))


def _credential_form(store: FakeStore, **overrides: str) -> dict[str, str]:
    settings = {**store.credentials(), **overrides}
    fields = ("store_url", "consumer_key", "consumer_secret", "access_token")
    return {"platform": settings["platform"], **{k: settings[k] for k in fields if k in settings}}


async def wizard_test(
    client: AsyncTestClient[Any], user: WebUser, store: FakeStore, **overrides: str
) -> httpx.Response:
    """Steps 1 to 3: choose the platform, fill the credentials, post the connection test."""
    form = _credential_form(store, **overrides)
    step1 = await client.get("/stores/new")
    assert step1.status_code == 200
    step2 = await client.get("/stores/new/credentials", params={"platform": form["platform"]})
    assert step2.status_code == 200
    return await post_form(client, "/stores/new/test", {"_csrf": user.csrf, **form})


async def add_store(
    client: AsyncTestClient[Any],
    user: WebUser,
    store: FakeStore,
    *,
    name: str | None = None,
    sync: str = "now",
    schedule: str = "",
) -> str:
    """The whole wizard; returns the new store's id (the page it lands on)."""
    tested = await wizard_test(client, user, store)
    assert tested.status_code == 200, tested.text
    draft = field_value(tested.text, "draft")
    configure = await post_form(
        client, "/stores/new/configure", {"_csrf": user.csrf, "draft": draft}
    )
    assert configure.status_code == 200, configure.text
    saved = await post_form(
        client,
        "/stores/new/save",
        {
            "_csrf": user.csrf,
            "draft": draft,
            "name": name or field_value(configure.text, "name"),
            "sync": sync,
            "schedule": schedule,
        },
    )
    assert saved.status_code == 303, saved.text
    return store_id_of(saved.headers["location"])


def store_id_of(location: str) -> str:
    match = re.match(r"^/stores/([0-9a-f-]{36})(?:\?|$)", location)
    assert match, location
    return match.group(1)


async def wait_for_sync(client: AsyncTestClient[Any], store_id: str) -> dict[str, Any]:
    """Poll the page's JSON status view, as the page's script does, until no sync is active."""
    async with asyncio.timeout(SYNC_TIMEOUT):
        while True:
            response = await client.get(f"/stores/{store_id}/sync-status")
            assert response.status_code == 200, response.text
            state: dict[str, Any] = response.json()
            if not state["active"]:
                return state
            await asyncio.sleep(0.05)


def page_text(page: str) -> str:
    """The page's words, as a reader gets them: tags gone, entities decoded, spaces single."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).strip()


def alert_text(page: str) -> str:
    """The text of the page's first role="alert" element."""
    match = re.search(r'role="alert"[^>]*>(.*?)</div>', page, flags=re.S)
    assert match, "no alert on the page"
    return page_text(match.group(1))


def by_testid(page: str, name: str) -> str:
    """The text of the element with `data-testid=name` (nested elements included)."""
    finder = _TestIdText(name)
    finder.feed(page)
    assert finder.found, f"no {name} on the page"
    return re.sub(r"\s+", " ", "".join(finder.parts)).strip()


class _TestIdText(HTMLParser):
    _VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "source", "wbr"})

    def __init__(self, testid: str) -> None:
        super().__init__()
        self.testid = testid
        self.depth = 0
        self.found = False
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._VOID:
            return
        if self.depth:
            self.depth += 1
        elif not self.found and ("data-testid", self.testid) in attrs:
            self.found, self.depth = True, 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in self._VOID:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)
