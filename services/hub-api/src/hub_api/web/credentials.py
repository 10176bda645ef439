"""The credential part of a form (wizard step 2, edit): reading it, keeping what a failed test was
given, and advice on failures. Every field, label and piece of advice comes from the platform's
descriptor; nothing here knows a platform."""

from __future__ import annotations

from collections.abc import Mapping

import pydantic

from g4hub_connectors import PlatformDescriptor, Remedy, descriptors, generic_advice
from hub_api.web.forms import FormValues

__all__ = [
    "CredentialInput",
    "advice_for",
    "claimed_by_other",
    "validation_message",
]

_MAX_VALUE = 2000


def advice_for(
    descriptor: PlatformDescriptor | None, code: str | None, remedy: Remedy | str | None
) -> str:
    """What the merchant can do about a failed test: chosen by the error's code and remedy,
    from the platform's descriptor (or advice that holds for any platform)."""
    if descriptor is None:
        return generic_advice(remedy, code)
    return descriptor.advice_for(code, remedy)


def claimed_by_other(descriptor: PlatformDescriptor, store_url: str) -> str | None:
    """A plain sentence when `store_url` belongs to another platform than the one chosen (its
    descriptor's `host_suffixes` claim the address), else `None`."""
    if not store_url or descriptor.claims_url(store_url):
        return None
    for other in descriptors():
        if other.platform != descriptor.platform and other.claims_url(store_url):
            return (
                f"This is a {other.label} store's address, not a {descriptor.label} one. "
                f"Choose {other.label} as the platform to connect it."
            )
    return None


class CredentialInput:
    """The connection fields of a posted form for one platform. `settings()` is the flat
    mapping the core takes; `errors` names each missing field.

    `kept` holds the values of an earlier, failed try (opened from its sealed draft): a field
    left empty keeps its value there, so a merchant fixing one field need not paste every
    secret again."""

    def __init__(
        self,
        descriptor: PlatformDescriptor,
        form: FormValues,
        *,
        require_all: bool = True,
        kept: Mapping[str, str] | None = None,
    ) -> None:
        self.descriptor = descriptor
        self.platform = descriptor.platform
        kept = dict(kept or {})
        typed = {f.name: form.text(f.name, max_length=_MAX_VALUE) for f in descriptor.fields}
        touched = [s for s in descriptor.sets if any(typed[n] for n in s.fields)]
        if touched:
            # Typing into one way to authenticate drops what an earlier try kept for another.
            allowed = {n for s in touched for n in s.fields}
            kept = {k: v for k, v in kept.items() if k in allowed or k == "store_url"}
        self.store_url = form.text("store_url", max_length=_MAX_VALUE) or kept.get("store_url", "")
        self.values = {name: value or kept.get(name, "") for name, value in typed.items()}
        self.errors: dict[str, str] = {}
        if require_all:
            if not self.store_url:
                self.errors["store_url"] = "Enter the store's address."
            self.errors.update(descriptor.missing(self.values))
        complete = [s for s in descriptor.sets if all(self.values[n] for n in s.fields)]
        for extra in complete[1:]:
            for name in extra.fields:
                self.errors[name] = (
                    f"Give either the {complete[0].label.lower()} or the "
                    f"{extra.label.lower()}, not both."
                )
        other = claimed_by_other(descriptor, self.store_url)
        if other is not None:
            self.errors["store_url"] = other
        # The API chosen, when the platform has several; a form without the field leaves the
        # choice to the core (a new store's default, a saved store's own).
        self.api = form.text("api", max_length=50) or kept.get("api", "")
        if self.api and self.api not in descriptor.apis:
            offered = sorted(descriptor.apis, key=lambda a: a != descriptor.default_api)
            choices = " or ".join(descriptor.api_label(a) for a in offered)
            self.errors["api"] = f"Choose {choices}." if choices else "This platform has one API."

    def __repr__(self) -> str:
        return f"CredentialInput(platform={self.platform!r})"

    def settings(self) -> dict[str, str]:
        """The flat settings: only one way to authenticate, the first the form completes."""
        chosen = self.descriptor.set_for(self.values)
        names = set(chosen.fields) if chosen is not None else set(self.values)
        given = {n: v for n, v in self.values.items() if v and (n in names or chosen is None)}
        if self.store_url:
            given["store_url"] = self.store_url
        if self.api and self.api in self.descriptor.apis:
            given["api"] = self.api
        return {"platform": self.platform, **given}

    def shown(self) -> dict[str, str]:
        """What the page may show again: the address and the fields that are not secret."""
        shown = {"store_url": self.store_url, "api": self.api}
        for f in self.descriptor.fields:
            if not f.secret:
                shown[f.name] = self.values.get(f.name, "")
        return shown

    def kept_hints(self) -> dict[str, str]:
        """Per secret field with a value, its masked hint (`ck_…a1b2`) to say what is kept."""
        return {
            f.name: self.descriptor.mask(self.values[f.name])
            for f in self.descriptor.fields
            if f.secret and self.values.get(f.name)
        }


def validation_message(exc: pydantic.ValidationError) -> str:
    """A model's validation errors in words, never the values (one may be a key)."""
    messages = [
        str(error.get("msg", "invalid")).removeprefix("Value error, ")
        for error in exc.errors(include_input=False, include_url=False, include_context=False)
    ]
    return "Some fields are invalid: " + "; ".join(dict.fromkeys(messages)) + "."
