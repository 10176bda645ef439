"""Rendering pages: the Jinja environment (autoescaped, strict), its filters, and `page()`.

Every page gets `request` (Litestar adds it), and through `request.state.viewer` the signed-in
`Viewer` when there is one (the header's email and "Sign out" form, each form's `_csrf`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template import TemplateConfig

from g4hub_connectors import find_descriptor
from g4hub_core.dashboard.health import HEALTH_LABELS
from hub_api.web.charts import trend_chart
from hub_api.web.forms import SCHEDULES

__all__ = [
    "INDICATORS",
    "NOTICES",
    "PAGE_HEADERS",
    "TEMPLATES",
    "page",
    "template_config",
]

TEMPLATES = Path(__file__).parent / "templates"

# Pages hold a tenant's data (and the wizard's sealed draft): never cached, never framed. The
# policy allows only our own scripts and styles; product thumbnails come from the stores.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' https: http: data:; style-src 'self'; "
        "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}

# A store's light (its `StoreHealth.state`) as every page says it: never by colour alone, the
# words are always there, and the same everywhere.
INDICATORS = HEALTH_LABELS

# Messages a redirect may ask a page to show (`?notice=<key>`): fixed texts, so a link cannot
# make the page say anything else.
NOTICES = {
    "registered": "Welcome! Your account is ready. Add your first store to get started.",
    "signed_in": "You are signed in.",
    "signed_out": "You are signed out.",
    "store_saved": "The store is saved.",
    "store_added": "The store is connected.",
    "sync_queued": "A sync has started.",
    "tested": "The connection was tested.",
    "subscribed": "The store's webhook subscriptions were checked: its real-time status is shown.",
    "password_changed": "Your password is changed.",
    "business_renamed": "Your business name is saved.",
    "deleted": "The store was deleted.",
}


def _when(value: datetime | None, empty: str = "Never") -> str:
    if value is None:
        return empty
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _iso(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def _money(value: Decimal | str | None, currency: str | None = None) -> str:
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(value)
    except ArithmeticError:
        return str(value)
    return f"{amount:,.2f} {currency}" if currency else f"{amount:,.2f}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:,.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes:,} min {rest} s"


def _elapsed(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)


def _number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _platform(value: str) -> str:
    descriptor = find_descriptor(value)
    return descriptor.label if descriptor is not None else value.title()


_STOCK = {"instock": "In stock", "outofstock": "Out of stock", "onbackorder": "On backorder"}


def _stock(status: str) -> str:
    return _STOCK.get(status.replace("_", "").replace(" ", "").lower(), status.replace("_", " "))


def _web_image(url: str | None) -> str | None:
    # Only http(s) images: a store's odd value (`javascript:`, `data:` blobs) is not shown.
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        extensions=["jinja2.ext.do"],
    )
    env.filters.update(
        when=_when,
        iso=_iso,
        money=_money,
        number=_number,
        platform=_platform,
        stock=_stock,
        web_image=_web_image,
        duration=_duration,
    )
    env.globals.update(
        INDICATORS=INDICATORS,
        NOTICES=NOTICES,
        SCHEDULES=SCHEDULES,
        elapsed=_elapsed,
        trend_chart=trend_chart,
    )
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment()))


def page(
    template: str,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    """A page: `template` (under `web/templates/`) with `context`, and the pages' headers."""
    return Template(
        template_name=template,
        context=context,
        status_code=status_code,
        headers={**PAGE_HEADERS, **(headers or {})},
        media_type="text/html",
    )
