"""What a platform tells the programs around its connector: the type every platform folder exports.

A descriptor holds the platform's knowledge that is not about talking to the store: how a person
names it, which credential fields a form asks for (with their help text and which are secret),
the ways a store may authenticate and how a partial change of credentials merges, how a
credential is masked in a hint, the user messages and advice per error code, the platform's APIs,
and where the merchant finds the credentials in the store's admin. The hub's core, its API schema
and its dashboard read descriptors; none of them asks which platform it is.

    descriptor = g4hub_connectors.get_descriptor("woocommerce")
    descriptor.label                          # "WooCommerce"
    [f.name for f in descriptor.fields]       # ["consumer_key", "consumer_secret"]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from g4hub_connectors.errors import Remedy

__all__ = [
    "Advice",
    "CredentialField",
    "CredentialSet",
    "PlatformDescriptor",
    "generic_advice",
]

InputType = Literal["text", "password", "url", "email"]


@dataclass(frozen=True)
class CredentialField:
    """One credential a store is configured with, and how a form asks for it.

    `secret` fields are sealed, never shown again and masked in hints; the others (an app's
    client ID) may be shown. `required` means required within the credential sets that name
    the field."""

    name: str
    label: str
    help: str = ""
    placeholder: str = ""
    input_type: InputType = "password"
    secret: bool = True
    required: bool = True
    hint: str = ""
    """For a field that is not secret, the word before its value in a hint (`client 1234`)."""


@dataclass(frozen=True)
class CredentialSet:
    """One way to authenticate: the fields it needs. A platform with several (a Shopify access
    token, or an app's client ID and secret) lists each; a store uses exactly one."""

    name: str
    label: str
    fields: tuple[str, ...]
    help: str = ""


@dataclass(frozen=True)
class Advice:
    """What a merchant can do about an error with this code: `text`, and optionally a user
    message that replaces the connector's default one."""

    text: str
    message: str | None = None


_GENERIC_ADVICE: dict[Remedy, str] = {
    Remedy.FIX_SETTINGS: "Check the store's address and credentials, then test again.",
    Remedy.FIX_REQUEST: "Check what was asked of the store, then try again.",
    Remedy.RETRY: "This is usually passing. Wait a minute, then try again.",
    Remedy.REPORT: (
        "The store answered something unexpected. If it keeps happening, tell the hub's "
        "operator, with the request id when one is shown."
    ),
}

_GENERIC_BY_CODE: dict[str, str] = {
    # A refused or dropped connection usually means a wrong address or port, not an outage.
    # The seed reports refused connections as platform_unavailable; a refused connection is far
    # more often a wrong address or port than an outage, so the advice starts there.
    "platform_unavailable": (
        "Nothing answered at this address, or the store refused the connection. Check the "
        "address and port (copy them from your browser's address bar), and that the store is "
        "online; then test again."
    ),
    "timeout": "The store did not answer in time. Check that it is online, then test again.",
    "rate_limited": "The store is busy. Wait a minute, then test again.",
    "invalid_store_url": "Check the store's address: copy it from your browser's address bar.",
}


def generic_advice(remedy: Remedy | str | None, code: str | None = None) -> str:
    """Advice that holds for any platform: by code where one is known, else by remedy."""
    if code in _GENERIC_BY_CODE:
        return _GENERIC_BY_CODE[code]
    try:
        return _GENERIC_ADVICE[Remedy(remedy or Remedy.FIX_SETTINGS)]
    except ValueError:
        return _GENERIC_ADVICE[Remedy.FIX_SETTINGS]


@dataclass(frozen=True)
class PlatformDescriptor:
    """A platform's knowledge for the programs around its connector (see the module's doc).

    - `platform`: the name configs use (`"woocommerce"`); `label`: how people write it.
    - `fields`: every credential field; `credential_sets`: the ways to authenticate (default: one
      set of every required field). A change naming a field of one set drops the other sets'
      fields it does not name (`merge`).
    - `key_prefixes`: known credential prefixes (`ck_`, `shpat_`) kept visible in hints.
    - `messages`: user message templates per error code (`{label}` and the error's own
      context, e.g. `{scopes}`); `advice`: what to do, per code or `code/remedy`.
    - `apis`: the platform's APIs, the connector's default first (Shopify: `rest`, `graphql`);
      each one past the first is served by a connector registered as `"{platform}.{api}"`.
    - `new_store_api`: the API the hub gives a new store whose settings name none (Shopify:
      `graphql`); `None` keeps the connector's default. A store saved without an API keeps the
      connector's default, so choosing another one here never moves an existing store.
    - `api_help`: per API, a label and a sentence for a form's choice between them.
    """

    platform: str
    label: str
    summary: str
    """One sentence for a platform chooser: what the merchant will need."""
    fields: tuple[CredentialField, ...]
    credential_sets: tuple[CredentialSet, ...] = ()
    store_url_help: str = "The store's address, e.g. https://shop.example.com."
    store_url_placeholder: str = "https://"
    credentials_location: str = ""
    """Where the merchant finds the credentials in the store's admin."""
    key_prefixes: tuple[str, ...] = ()
    messages: Mapping[str, str] = field(default_factory=dict)
    advice: Mapping[str, Advice] = field(default_factory=dict)
    apis: tuple[str, ...] = ()
    new_store_api: str | None = None
    api_help: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    host_suffixes: tuple[str, ...] = ()
    """Host names only this platform serves stores at (`.myshopify.com`): an address ending so
    belongs to this platform, whatever platform the merchant chose."""

    def __post_init__(self) -> None:
        names = {f.name for f in self.fields}
        for credential_set in self.credential_sets:
            unknown = set(credential_set.fields) - names
            if unknown:
                raise ValueError(f"{self.platform}: credential set names unknown {unknown}")
        if self.new_store_api is not None and self.new_store_api not in self.apis:
            raise ValueError(f"{self.platform}: new_store_api is not one of its apis")

    @property
    def default_api(self) -> str | None:
        """The API a new store gets when its settings name none (`None`: one API only)."""
        return self.new_store_api or (self.apis[0] if self.apis else None)

    def api_label(self, api: str) -> str:
        """How a form names `api` (its `api_help` label, else the name itself)."""
        return self.api_help.get(api, (api, ""))[0]

    # -- fields ---------------------------------------------------------------------------------

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def secret_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.secret)

    def field(self, name: str) -> CredentialField:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def sets(self) -> tuple[CredentialSet, ...]:
        """The ways to authenticate; one set of the required fields when none is declared."""
        if self.credential_sets:
            return self.credential_sets
        required = tuple(f.name for f in self.fields if f.required)
        return (CredentialSet("default", "Credentials", required),)

    def set_for(self, values: Mapping[str, Any]) -> CredentialSet | None:
        """The credential set `values` fills completely, the first declared when several do."""
        for credential_set in self.sets:
            if all(_given(values.get(name)) for name in credential_set.fields):
                return credential_set
        return None

    def missing(self, values: Mapping[str, Any]) -> dict[str, str]:
        """Per field, why `values` does not authenticate: empty when one set is complete. With
        several sets, the one the merchant started filling decides which fields are asked for."""
        if self.set_for(values) is not None:
            return {}
        started = [s for s in self.sets if any(_given(values.get(n)) for n in s.fields)]
        target = started[0] if started else self.sets[0]
        return {
            name: f"Enter the {_lower_first(self.field(name).label)}."
            for name in target.fields
            if not _given(values.get(name))
        }

    def merge(self, current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
        """`current` settings with `changes` applied: a change that names a field of one
        credential set drops the fields of the other sets it does not name, so the merged
        settings never hold two ways to authenticate."""
        merged = dict(current)
        changed_sets = [s for s in self.sets if any(n in changes for n in s.fields)]
        if changed_sets:
            kept = {n for s in changed_sets for n in s.fields}
            for other in self.sets:
                for name in other.fields:
                    if name not in kept and name not in changes:
                        merged.pop(name, None)
        merged.update(changes)
        return merged

    def credentials_hint(self, values: Mapping[str, Any]) -> str:
        """A masked hint of the main credential (`ck_…a1b2`, `client 1234`), safe to show."""
        credential_set = self.set_for(values) or self.sets[0]
        for name in credential_set.fields:
            value = _plain(values.get(name))
            if not value:
                continue
            f = self.field(name)
            if not f.secret:
                return f"{f.hint or _lower_first(f.label)} {value}"
            return self.mask(value)
        return "…"

    def mask(self, value: str) -> str:
        """`value`'s known prefix and last four characters (`shpat_…a1b2`); `…` for short ones."""
        prefix = next((p for p in self.key_prefixes if value.startswith(p)), "")
        return f"{prefix}…{value[-4:]}" if len(value) >= 12 else "…"

    def claims_url(self, url: str) -> bool:
        """True when `url`'s host is one only this platform serves stores at."""
        text = url.strip().lower()
        host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
        return any(host == s.lstrip(".") or host.endswith(s) for s in self.host_suffixes)

    # -- errors ---------------------------------------------------------------------------------

    def message(self, code: str, context: Mapping[str, Any] | None = None) -> str | None:
        """The platform's user message for `code`, or `None` to keep the connector's default."""
        template = self.messages.get(code)
        if template is None:
            return None
        return template.format_map(_Context({"label": self.label, **(context or {})}))

    def advice_for(self, code: str | None, remedy: Remedy | str | None = None) -> str:
        """What the merchant can do about an error: the platform's advice for `code` (or for
        `code/remedy`), else advice that holds for any platform."""
        for key in (f"{code}/{remedy}", code or ""):
            if key in self.advice:
                return self.advice[key].text
        return generic_advice(remedy, code)


def _plain(value: Any) -> str:
    if value is None:
        return ""
    getter = getattr(value, "get_secret_value", None)
    return str(getter() if callable(getter) else value).strip()


def _given(value: Any) -> bool:
    return bool(_plain(value))


def _lower_first(text: str) -> str:
    # "Consumer key" → "consumer key", but "API key" stays.
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


class _Context(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
