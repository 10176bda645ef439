"""What the hub and its dashboard know about Acme."""

from __future__ import annotations

from g4hub_connectors import Advice, CredentialField, PlatformDescriptor

DESCRIPTOR = PlatformDescriptor(
    platform="acme",
    label="Acme Commerce",
    summary="An Acme Commerce shop: you will need an API token.",
    fields=(
        CredentialField(
            "api_token",
            "API token",
            "In Acme's back office: Settings → Integrations → New token.",
            "acme_…",
        ),
    ),
    store_url_help="Your Acme shop's address, e.g. https://shop.acme.example.",
    key_prefixes=("acme_",),
    advice={"invalid_credentials": Advice("Create a new token in Acme's back office.")},
)
