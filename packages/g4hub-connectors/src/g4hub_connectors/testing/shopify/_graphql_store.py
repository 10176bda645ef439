"""`FakeShopifyGraphQLStore`: the same fake store, for connectors that speak GraphQL.

Its `credentials()` ask for `"api": "graphql"`, and faults aimed at a REST resource (`path=
"products"`) hit the GraphQL endpoint instead, where every product request goes; so suites
written against the REST routes (the contract suite) run unchanged against the GraphQL connector.
"""

from __future__ import annotations

from typing import Any

from g4hub_connectors.testing._asgi import Fault, FaultKind
from g4hub_connectors.testing.shopify.store import FakeShopifyStore

__all__ = ["FakeShopifyGraphQLStore"]

_REST_RESOURCES = ("products", "shop", "variants", "inventory", "locations")


class FakeShopifyGraphQLStore(FakeShopifyStore):
    def credentials(self, **overrides: Any) -> dict[str, Any]:
        return super().credentials(**{"api": "graphql", **overrides})

    def client_credentials(self, **overrides: Any) -> dict[str, Any]:
        return super().client_credentials(**{"api": "graphql", **overrides})

    def wrong_credentials(self) -> dict[str, Any]:
        return {**super().wrong_credentials(), "api": "graphql"}

    def inject(self, kind: FaultKind = "status", **options: Any) -> Fault:
        path = options.get("path")
        if isinstance(path, str) and path.strip("/").split("/")[0] in _REST_RESOURCES:
            options["path"] = "graphql.json"
        return super().inject(kind, **options)
