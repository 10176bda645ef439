"""What the hub and its dashboard know about Shopify beyond the connector: the form's fields (an
Admin API access token, or a Dev Dashboard app's client ID and secret), hints, messages, advice
and its two APIs (`g4hub_connectors.descriptor`)."""

from __future__ import annotations

from g4hub_connectors.descriptor import (
    Advice,
    CredentialField,
    CredentialSet,
    PlatformDescriptor,
)

__all__ = ["DESCRIPTOR"]

_SCOPES = "read_products, read_inventory and read_locations"
_DEV_DASHBOARD = (
    "Shopify now creates apps in the Dev Dashboard (dev.shopify.com → Apps → Create app): give "
    f"the app the {_SCOPES} scopes, release a version, install it on your store, then copy its "
    "client ID and secret from the app's Settings."
)
_LEGACY = (
    "A custom app made in your Shopify admin (Settings → Apps and sales channels → Develop apps → "
    "your app → API credentials) shows its Admin API access token once, after install; it "
    "starts with shpat_."
)

DESCRIPTOR = PlatformDescriptor(
    platform="shopify",
    label="Shopify",
    summary=(
        "A Shopify store: you will need a Dev Dashboard app's client ID and secret, or an Admin "
        "API access token."
    ),
    fields=(
        CredentialField(
            "client_id",
            "Client ID",
            _DEV_DASHBOARD,
            "",
            input_type="text",
            secret=False,
            hint="client",
        ),
        CredentialField(
            "client_secret",
            "Client secret",
            "In the Dev Dashboard, your app → Settings → Client secret (reveal and copy it).",
            "",
        ),
        CredentialField("access_token", "Admin API access token", _LEGACY, "shpat_…"),
    ),
    credential_sets=(
        CredentialSet(
            "app",
            "Dev Dashboard app (client ID and secret)",
            ("client_id", "client_secret"),
            _DEV_DASHBOARD,
        ),
        CredentialSet("token", "Admin API access token", ("access_token",), _LEGACY),
    ),
    store_url_help="Your store's myshopify.com address, e.g. https://your-store.myshopify.com.",
    store_url_placeholder="https://your-store.myshopify.com",
    credentials_location=_DEV_DASHBOARD,
    key_prefixes=("shpat_", "shpca_", "shppa_", "shpss_", "shpua_"),
    messages={
        "invalid_credentials": (
            "Unable to connect to your Shopify store. Please check your access token "
            "(or the app's client ID and secret)."
        ),
        "permission_denied": (
            "Your Shopify access token doesn't have required permissions. "
            "Please regenerate with {scopes} {scope_noun}."
        ),
    },
    advice={
        "invalid_credentials": Advice(
            "Copy the client ID and secret (or the access token) again from the app, without "
            "spaces, and make sure the app is still installed on this store."
        ),
        "permission_denied": Advice(
            "In your app's configuration (Dev Dashboard → your app → Versions), grant the access "
            "scope named above, release the version and reinstall the app so the grant applies, "
            "then test again."
        ),
        "invalid_store_url": Advice(
            "Use the store's myshopify.com address: in Shopify admin, Settings → Domains shows it."
        ),
        "store_unavailable": Advice(
            "The store is frozen, paused or locked; settle it in Shopify admin (Settings → Plan "
            "and billing), then test again."
        ),
    },
    apis=("rest", "graphql"),
    # REST is legacy and returns at most 100 variants per product: new stores use GraphQL.
    new_store_api="graphql",
    api_help={
        "graphql": (
            "GraphQL Admin API (recommended)",
            "Every variant of every product, and bulk export for large catalogs.",
        ),
        "rest": (
            "REST Admin API (legacy)",
            "For stores already set up with it; Shopify returns at most 100 variants per "
            "product through it.",
        ),
    },
    host_suffixes=(".myshopify.com", "admin.shopify.com"),
)
