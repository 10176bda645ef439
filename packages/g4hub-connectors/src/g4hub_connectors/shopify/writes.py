"""How the store's answers to a write are checked against what was asked: Shopify answers 200 to
writes it does not (fully) apply, so a write is taken as done only when the store's own answer and
a re-read say so. The price rules themselves are in `prices` (shared with the GraphQL connector)."""

from __future__ import annotations

from g4hub_connectors.shopify.payloads import VariantPayload, tracked

__all__ = ["tracking_applied"]


def tracking_applied(asked: bool, variant: VariantPayload) -> bool:
    """Whether the re-read `variant` tracks its stock as asked."""
    return tracked(variant) is asked
