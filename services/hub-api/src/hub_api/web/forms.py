"""Reading posted forms: text fields, the schedule, and which platform's descriptor a form asks
for (its credential fields and their help come from it).

Forms are read by hand rather than bound to a model: a missing or malformed field is shown on
the form again, next to its input, instead of failing the request.
"""

from __future__ import annotations

from typing import Any

from litestar import Request

from g4hub_connectors import PlatformDescriptor, available_platforms, find_descriptor

__all__ = [
    "SCHEDULES",
    "FormValues",
    "platform_descriptor",
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


def platform_descriptor(platform: str) -> PlatformDescriptor | None:
    """The descriptor of a platform a store can be added for (not one of its secondary APIs),
    or `None`: what the forms ask for comes from it (fields, help, advice)."""
    if not platform or "." in platform or platform not in available_platforms():
        return None
    return find_descriptor(platform)
