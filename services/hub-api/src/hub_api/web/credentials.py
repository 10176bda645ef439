"""The credential part of a form (wizard step 2, edit): reading it, and advice on failures."""

from __future__ import annotations

import pydantic

from hub_api.web.forms import CREDENTIAL_FIELDS, FormValues

__all__ = ["ADVICE", "CredentialInput", "advice_for", "validation_message"]

_MAX_VALUE = 2000

# What the merchant can do about a failed connection test, by the connector's error code.
ADVICE = {
    "invalid_credentials": (
        "Copy the credentials again from your store's admin, without spaces, and make sure the "
        "key (or app) was not revoked."
    ),
    "permission_denied": (
        "Give the key Read (or Read/Write) permission in WooCommerce, or grant the Shopify app "
        "the missing access scope and reinstall it; then test again."
    ),
    "permission_denied/woocommerce": (
        "In WooCommerce → Settings → Advanced → REST API, give the key Read (or Read/Write) "
        "permission, or create a new key with it; then test again."
    ),
    "permission_denied/shopify": (
        "In your Shopify app's configuration, grant the access scope named above, reinstall the "
        "app so the grant applies, then test again (with the new token if it changed)."
    ),
    "invalid_store_url": "Check the store's address: copy it from your browser's address bar.",
    "api_version_unsupported": "The store does not offer this API version; update the store.",
    "store_unavailable": "The store is closed or locked; reopen it in its admin, then try again.",
    "rate_limited": "The store is busy. Wait a minute, then test again.",
    "timeout": "The store did not answer in time. Check that it is online, then test again.",
    "platform_unavailable": "The platform is having trouble. Wait a few minutes and try again.",
    "not_found": (
        "No store API answered at this address. Check the address, and for WooCommerce that "
        "pretty permalinks are on."
    ),
}
_DEFAULT_ADVICE = "Check the address and the credentials, then test again."


def advice_for(code: str | None, platform: str | None = None) -> str:
    """What to do about a failed test: the platform's own advice for `code`, else the code's."""
    return ADVICE.get(f"{code}/{platform}") or ADVICE.get(code or "", _DEFAULT_ADVICE)


class CredentialInput:
    """The connection fields of a posted form for one platform. `settings()` is the flat
    mapping the core takes; `errors` names each missing field."""

    def __init__(self, platform: str, form: FormValues, *, require_all: bool = True) -> None:
        self.platform = platform
        self.store_url = form.text("store_url", max_length=_MAX_VALUE)
        self.values = {
            f.name: form.text(f.name, max_length=_MAX_VALUE) for f in CREDENTIAL_FIELDS[platform]
        }
        self.errors: dict[str, str] = {}
        if require_all:
            if not self.store_url:
                self.errors["store_url"] = "Enter the store's address."
            for f in CREDENTIAL_FIELDS[platform]:
                if not self.values[f.name]:
                    self.errors[f.name] = f"Enter the {f.label[0].lower()}{f.label[1:]}."

    def __repr__(self) -> str:
        return f"CredentialInput(platform={self.platform!r})"

    def settings(self) -> dict[str, str]:
        given = {name: value for name, value in self.values.items() if value}
        if self.store_url:
            given["store_url"] = self.store_url
        return {"platform": self.platform, **given}


def validation_message(exc: pydantic.ValidationError) -> str:
    """A model's validation errors in words, never the values (one may be a key)."""
    messages = [
        str(error.get("msg", "invalid")).removeprefix("Value error, ")
        for error in exc.errors(include_input=False, include_url=False, include_context=False)
    ]
    return "Some fields are invalid: " + "; ".join(dict.fromkeys(messages)) + "."
