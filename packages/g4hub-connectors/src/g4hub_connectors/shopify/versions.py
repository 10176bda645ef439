"""The Shopify Admin API versions the SDK supports, for REST and GraphQL alike.

Shopify releases a version each quarter and supports each for at least twelve months; a request
for a retired version is served by the oldest supported one (`X-Shopify-API-Version` says which).
The list is checked against shopify.dev each quarter; `DEFAULT_SHOPIFY_API_VERSION` is its newest.
"""

from __future__ import annotations

from g4hub_connectors.config import DEFAULT_SHOPIFY_API_VERSION

__all__ = ["DEFAULT_SHOPIFY_API_VERSION", "SUPPORTED_API_VERSIONS", "note_served_version"]

SUPPORTED_API_VERSIONS: tuple[str, ...] = ("2026-01", "2026-04", "2026-07", "2026-10")
"""Oldest first (checked 2026-12: 2026-01 is supported until 2027-01-01)."""

assert SUPPORTED_API_VERSIONS[-1] == DEFAULT_SHOPIFY_API_VERSION


def note_served_version(requested: str, served: str) -> str | None:
    """The merchant's warning when Shopify answered `served` to a request for `requested`
    (`None` when they agree)."""
    if served == requested:
        return None
    return (
        f"API version: requested {requested}, the store answered with {served}: the "
        "requested version is no longer supported, so Shopify serves the oldest version it "
        f"still supports. Set this store's API version to {served} or newer "
        f"(supported: {', '.join(SUPPORTED_API_VERSIONS)})."
    )
