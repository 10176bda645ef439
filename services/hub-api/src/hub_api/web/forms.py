"""Reading posted forms: text fields, and the per-platform credential fields with their help.

Forms are read by hand rather than bound to a model: a missing or malformed field is shown on
the form again, next to its input, instead of failing the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request

__all__ = [
    "CREDENTIAL_FIELDS",
    "SCHEDULES",
    "STORE_URL_HELP",
    "CredentialField",
    "FormValues",
    "read_form",
    "read_schedule",
]

SCHEDULES: dict[str, str] = {
    "": "Off",
    "60": "Every hour",
    "360": "Every 6 hours",
    "1440": "Every day",
}
"""The automatic-sync choices a form offers: `sync_interval_minutes` (as text) → label."""


class FormValues:
    """A posted form's text values, stripped; files and repeated values are ignored."""

    def __init__(self, values: dict[str, str]) -> None:
        self._values = values

    def __repr__(self) -> str:
        return f"FormValues(fields={sorted(self._values)})"  # names only: values may be secret

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def text(self, name: str, *, max_length: int = 2000) -> str:
        return self._values.get(name, "").strip()[:max_length]

    def raw(self, name: str) -> str:
        """Unstripped (a password's spaces are its own)."""
        return self._values.get(name, "")


async def read_form(request: Request[Any, Any, Any]) -> FormValues:
    form = await request.form()
    values: dict[str, str] = {}
    for key, value in form.items():
        if isinstance(value, str):
            values[key] = value
    return FormValues(values)


def read_schedule(form: FormValues) -> int | None:
    """The form's `schedule` as `sync_interval_minutes` (`None`: no automatic syncs). An unknown
    value raises `ValueError`."""
    value = form.text("schedule", max_length=10)
    if value not in SCHEDULES:
        raise ValueError(value)
    return int(value) if value else None


@dataclass(frozen=True)
class CredentialField:
    """One credential input of a platform's form."""

    name: str
    label: str
    help: str
    placeholder: str = ""
    secret: bool = True


CREDENTIAL_FIELDS: dict[str, tuple[CredentialField, ...]] = {
    "woocommerce": (
        CredentialField(
            "consumer_key",
            "Consumer key",
            "In WordPress: WooCommerce → Settings → Advanced → REST API → Add key. Give it "
            "Read or Read/Write permission; the key starts with ck_.",
            "ck_…",
        ),
        CredentialField(
            "consumer_secret",
            "Consumer secret",
            "Shown once, next to the consumer key, when you create the key; it starts with cs_.",
            "cs_…",
        ),
    ),
    "shopify": (
        CredentialField(
            "access_token",
            "Admin API access token",
            "In Shopify admin: Settings → Apps and sales channels → Develop apps → your app → "
            "API credentials. Grant read_products, read_inventory and read_locations, install "
            "the app, then reveal the token (it starts with shpat_).",
            "shpat_…",
        ),
    ),
}

STORE_URL_HELP = {
    "woocommerce": "Your shop's address, e.g. https://shop.example.com (where WordPress runs).",
    "shopify": "Your store's myshopify.com address, e.g. https://your-store.myshopify.com.",
}
