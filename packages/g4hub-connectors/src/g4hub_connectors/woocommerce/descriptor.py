"""What the hub and its dashboard know about WooCommerce beyond the connector: the form's fields,
hints, messages and advice (`g4hub_connectors.descriptor`)."""

from __future__ import annotations

from g4hub_connectors.descriptor import Advice, CredentialField, PlatformDescriptor

__all__ = ["DESCRIPTOR"]

_WHERE = "In WordPress: WooCommerce → Settings → Advanced → REST API → Add key."

DESCRIPTOR = PlatformDescriptor(
    platform="woocommerce",
    label="WooCommerce",
    summary="A WordPress shop: you will need a REST API consumer key and secret.",
    fields=(
        CredentialField(
            "consumer_key",
            "Consumer key",
            f"{_WHERE} Give it Read or Read/Write permission; the key starts with ck_.",
            "ck_…",
        ),
        CredentialField(
            "consumer_secret",
            "Consumer secret",
            "Shown once, next to the consumer key, when you create the key; it starts with cs_.",
            "cs_…",
        ),
    ),
    store_url_help="Your shop's address, e.g. https://shop.example.com (where WordPress runs).",
    store_url_placeholder="https://shop.example.com",
    credentials_location=_WHERE,
    key_prefixes=("ck_", "cs_"),
    messages={
        "invalid_credentials": (
            "Unable to connect to your WooCommerce store. "
            "Please check your Consumer Key and Secret."
        ),
        "permission_denied": (
            "Your WooCommerce API key doesn't have the permission this needs. Please create a key "
            "with Read/Write access for an administrator or shop manager."
        ),
    },
    advice={
        "invalid_credentials": Advice(
            "Copy the consumer key and secret again from WooCommerce → Settings → Advanced → "
            "REST API, without spaces, and make sure the key was not revoked."
        ),
        "permission_denied": Advice(
            "In WooCommerce → Settings → Advanced → REST API, give the key Read (or Read/Write) "
            "permission, or create a new key with it; then test again."
        ),
        "invalid_store_url": Advice(
            "Check the store's address: copy it from your browser's address bar on your shop's "
            "home page (where WordPress runs)."
        ),
        "permalinks_required": Advice(
            'In WordPress, go to Settings → Permalinks, choose any setting but "Plain" (for '
            'example "Post name"), save, then test again.'
        ),
        "not_found": Advice(
            "No WooCommerce API answered at this address. Check the address, that WooCommerce is "
            "active, and that pretty permalinks are on."
        ),
        "api_version_unsupported": Advice(
            "The store does not offer this API version; update WooCommerce, then test again."
        ),
    },
)
