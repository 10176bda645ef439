"""The fake store's GraphQL Admin API (`POST /admin/api/{version}/graphql.json`).

A small dispatcher on the operation's root fields stands in for a GraphQL server: `shop`,
`location`, `productsCount`, `products`, `product`, `inventoryItem`, `bulkOperation`,
`currentBulkOperation`, and the mutations `productVariantsBulkUpdate`, `inventorySetQuantities`,
`bulkOperationRunQuery` and `bulkOperationCancel`. Answers hold exactly the fields selected.

What it reproduces (PLATFORMS.md, Shopify GraphQL):
- cost per query (connections by `first`, mutations 10), refunded down to the actual cost, in a
  bucket per plan (Standard 1,000 points restoring 100/s, Advanced 2,000 at 200/s, Plus 10,000
  at 1,000/s), reported in `extensions.cost`; `THROTTLED` answers (HTTP 200) when the requested
  cost does not fit; `MAX_COST_EXCEEDED` above 1,000;
- `ACCESS_DENIED` errors naming the scope in `extensions.requiredAccess`;
- `userErrors` with codes; `changeFromQuantity` conflicts; `@idempotent` keys;
- bulk operations (see `_graphql_bulk`);
- expiring offline tokens with rotating refresh tokens (`issue_offline_token`).
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from g4hub_connectors.testing._asgi import Request, Response
from g4hub_connectors.testing.shopify._catalog import (
    LOCATIONS,
    PRIMARY_LOCATION,
    product_id,
    product_index,
)
from g4hub_connectors.testing.shopify._graphql_bucket import GRAPHQL_PLANS, PointBucket
from g4hub_connectors.testing.shopify._graphql_bulk import BULK_PATH, BulkOperations
from g4hub_connectors.testing.shopify._graphql_doc import (
    Document,
    Field,
    GraphQLSyntaxError,
    fields_of,
    parse,
    resolve,
)
from g4hub_connectors.testing.shopify._graphql_exec import (
    MUTATION_COST,
    Conn,
    actual_cost,
    decode_cursor,
    encode_cursor,
    project,
    requested_cost,
)
from g4hub_connectors.testing.shopify._graphql_render import GraphQLCatalog, gid, gid_int
from g4hub_connectors.testing.shopify._graphql_writes import GraphQLWrites
from g4hub_connectors.testing.shopify._writes import shop_json

__all__ = ["BULK_PATH", "GraphQLAdmin"]

MAX_COST = 1_000
MAX_FIRST = 250
_FILTER = re.compile(r"(\w+):(>=|<=|>|<)?('[^']*'|\"[^\"]*\"|\S+)")
_SCOPES = {
    "products": "read_products",
    "product": "read_products",
    "productsCount": "read_products",
    "inventoryItem": "read_inventory",
    "productVariantsBulkUpdate": "write_products",
    "inventorySetQuantities": "write_inventory",
    "bulkOperationRunQuery": "read_products",
}


class GraphQLAdmin:
    """The GraphQL side of a `FakeShopifyStore` (`store.graphql`)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.views = GraphQLCatalog(store.catalog, lambda: str(store.url))
        self.writes = GraphQLWrites(self.views)
        self.bulk = BulkOperations(store)
        maximum, restore = GRAPHQL_PLANS[store.plan]
        self.bucket = PointBucket(maximum, restore, store.clock)
        self.offline_token_ttl = 3_600.0
        self.refresh_tokens: set[str] = set()
        self.queries: list[tuple[str, float, float | None]] = []
        """(operation, requested cost, actual cost or None when throttled), in order."""
        self._counter = itertools.count(1)

    # -- tokens -----------------------------------------------------------------------------------

    def _new_token(self, kind: str) -> str:
        text = f"{kind}-{self.store.seed}-{next(self._counter)}"
        return f"{kind}_{hashlib.sha256(text.encode()).hexdigest()[:32]}"

    def issue_offline_token(self) -> dict[str, Any]:
        """An expiring offline token and its refresh token, as the OAuth token exchange with
        `expiring=1` answers."""
        access = self._new_token("shpat")
        refresh = self._new_token("shprt")
        self.store.issued[access] = self.store.clock() + self.offline_token_ttl
        self.refresh_tokens.add(refresh)
        return {
            "access_token": access,
            "expires_in": int(self.offline_token_ttl),
            "refresh_token": refresh,
            "refresh_token_expires_in": 7_776_000,
            "scope": ",".join(sorted(self.store.scopes)),
        }

    def refresh_grant(self, form: dict[str, str]) -> Response:
        """`grant_type=refresh_token`: a new token pair; the used refresh token stops working."""
        if (
            form.get("client_id") != self.store.client_id
            or form.get("client_secret") != self.store.client_secret
        ):
            return Response.json(
                {"error": "invalid_client", "error_description": "Client authentication failed."},
                400,
            )
        token = form.get("refresh_token", "")
        if token not in self.refresh_tokens:
            return Response.json(
                {
                    "error": "invalid_grant",
                    "error_description": "The refresh token is invalid or expired.",
                },
                400,
            )
        self.refresh_tokens.discard(token)
        return Response.json(self.issue_offline_token())

    # -- requests ---------------------------------------------------------------------------------

    def handle(self, request: Request, version: str, headers: list[tuple[str, str]]) -> Response:
        if request.method != "POST":
            return Response.json({"errors": "Not Found"}, 404, headers)
        try:
            body = request.json()
            query = body["query"]
            variables = body.get("variables") or {}
            if not isinstance(query, str) or not isinstance(variables, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError, AttributeError):
            return Response.json(
                {"errors": {"query": "Required parameter missing or invalid"}}, 400, headers
            )
        try:
            document = parse(query)
            operation = document.operation(body.get("operationName"))
        except GraphQLSyntaxError as exc:
            return Response.json({"errors": [{"message": str(exc), "locations": []}]}, 200, headers)
        roots = list(fields_of(operation.selections, document.fragments, None))
        name = operation.name or ",".join(f.name for f in roots)
        if operation.kind == "mutation":
            requested = float(MUTATION_COST * len(roots))
        else:
            requested = float(requested_cost(operation.selections, document.fragments, variables))
        if requested > MAX_COST:
            self.queries.append((name, requested, None))
            return self._answer(
                None,
                [
                    {
                        "message": (
                            f"Query cost is {int(requested)}, which exceeds the single query "
                            f"max cost limit ({MAX_COST})."
                        ),
                        "extensions": {
                            "code": "MAX_COST_EXCEEDED",
                            "cost": requested,
                            "maxCost": MAX_COST,
                        },
                    }
                ],
                requested,
                None,
                headers,
            )
        if not self.bucket.take(requested):
            self.queries.append((name, requested, None))
            return self._answer(
                None,
                [
                    {
                        "message": "Throttled",
                        "extensions": {
                            "code": "THROTTLED",
                            "documentation": "https://shopify.dev/api/usage/rate-limits",
                        },
                    }
                ],
                requested,
                None,
                headers,
            )
        data: dict[str, Any] = {}
        errors: list[dict[str, Any]] = []
        for root in roots:
            data[root.key] = self._root(
                root, document, variables, errors, (operation.kind, version)
            )
        if operation.kind == "mutation":
            actual = requested
        else:
            actual = float(actual_cost(operation.selections, data, document.fragments, variables))
        self.bucket.refund(max(requested - actual, 0.0))
        self.bucket.spent += actual
        self.queries.append((name, requested, actual))
        return self._answer(data, errors, requested, actual, headers)

    def _answer(
        self,
        data: dict[str, Any] | None,
        errors: list[dict[str, Any]],
        requested: float,
        actual: float | None,
        headers: list[tuple[str, str]],
    ) -> Response:
        body: dict[str, Any] = {}
        if data is not None:
            body["data"] = data
        if errors:
            body["errors"] = errors
        body["extensions"] = {
            "cost": {
                "requestedQueryCost": int(requested),
                "actualQueryCost": None if actual is None else int(actual),
                "throttleStatus": self.bucket.status(),
            }
        }
        return Response.json(body, 200, headers)

    def _denied(self, root: Field, scope: str, errors: list[dict[str, Any]]) -> None:
        errors.append(
            {
                "message": (
                    f"Access denied for {root.name} field. Required access: `{scope}` access scope."
                ),
                "locations": [],
                "path": [root.key],
                "extensions": {
                    "code": "ACCESS_DENIED",
                    "documentation": "https://shopify.dev/api/usage/access-scopes",
                    "requiredAccess": f"`{scope}` access scope.",
                },
            }
        )

    def _root(
        self,
        root: Field,
        document: Document,
        variables: dict[str, Any],
        errors: list[dict[str, Any]],
        request: tuple[str, str],
    ) -> Any:
        """One root field's value; `request` is the operation's kind and the served version."""
        scope = _SCOPES.get(root.name)
        if scope is not None and not self.store.has_scope(scope):
            self._denied(root, scope, errors)
            return None
        args = resolve(root.args, variables)
        directives = {name: resolve(dargs, variables) for name, dargs in root.directives}
        value = self._resolve(root, args, request, directives)
        if isinstance(value, _Error):
            errors.append(value.body)
            return None
        if value is None or root.selections is None:
            return value
        if isinstance(value, Conn):
            return project([root], {root.name: value}, document.fragments, variables)[root.key]
        return project(root.selections, value, document.fragments, variables)

    def _resolve(
        self,
        root: Field,
        args: dict[str, Any],
        request: tuple[str, str],
        directives: dict[str, Any],
    ) -> Any:
        name = root.name
        kind, version = request
        if kind == "mutation":
            if name == "productVariantsBulkUpdate":
                return self.writes.variants_bulk_update(args)
            if name == "inventorySetQuantities":
                key = (directives.get("idempotent") or {}).get("key")
                if not isinstance(key, str) or not key:
                    return _Error(
                        "The @idempotent directive is required for this mutation.", "BAD_REQUEST"
                    )
                return self.writes.inventory_set(args, key)
            if name == "bulkOperationRunQuery":
                return self.bulk.run(
                    args.get("query"), group_objects=args.get("groupObjects"), version=version
                )
            if name == "bulkOperationCancel":
                return self.bulk.cancel(args.get("id"))
            return _Error(f"Field '{name}' doesn't exist on type 'Mutation'", "undefinedField")
        if name == "shop":
            return self._shop()
        if name == "location":
            location = gid_int(args.get("id"), "Location") if args.get("id") else PRIMARY_LOCATION
            if location not in LOCATIONS:
                return None
            return {
                "__typename": "Location",
                "id": gid("Location", location),
                "name": LOCATIONS[location],
            }
        if name == "productsCount":
            count = sum(1 for _ in self.matching(args.get("query")))
            return {"__typename": "Count", "count": count, "precision": "EXACT"}
        if name == "products":
            return self._products(args)
        if name == "product":
            number = gid_int(args.get("id"), "Product")
            index = product_index(number) if number is not None else None
            if index is None or not self.store.catalog.exists(index):
                return None
            return self.views.product(index)
        if name == "inventoryItem":
            ref = self.views.item_ref(args.get("id"))
            if ref is None:
                return None
            return self.views.inventory_item(self.views.state(ref[0]), ref[1])
        if name == "bulkOperation":
            return self.bulk.get(args.get("id"))
        if name == "currentBulkOperation":
            return self.bulk.current()
        return _Error(f"Field '{name}' doesn't exist on type 'QueryRoot'", "undefinedField")

    def _shop(self) -> dict[str, Any]:
        shop = shop_json(self.store)
        return {
            "__typename": "Shop",
            "id": gid("Shop", shop["id"]),
            "name": shop["name"],
            "email": shop["email"],
            "myshopifyDomain": shop["myshopify_domain"],
            "currencyCode": shop["currency"],
            "ianaTimezone": shop["iana_timezone"],
            "primaryDomain": {
                "__typename": "Domain",
                "host": shop["domain"],
                "url": f"https://{shop['domain']}",
            },
            "plan": {
                "__typename": "ShopPlan",
                "displayName": shop["plan_display_name"],
                "partnerDevelopment": False,
                "shopifyPlus": self.store.plan == "plus",
            },
        }

    # -- listing ----------------------------------------------------------------------------------

    def matching(self, search: str | None) -> Iterator[int]:
        """Live product indexes matching Shopify's search syntax (`updated_at:>'…'`,
        `created_at:<=…`, `status:active`, `id:>=…`; terms joined by spaces or `AND`), in id
        order."""
        tests: list[tuple[str, str, Any]] = []
        for field_name, op, raw in _FILTER.findall(search or ""):
            value = raw.strip("'\"")
            if field_name == "id":
                tests.append(("id", op or "=", int(value)))
            elif field_name in ("updated_at", "created_at"):
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
                tests.append((field_name, op or "=", moment))
            elif field_name == "status":
                tests.append(("status", "in", {v.lower() for v in value.split(",")}))
        catalog = self.store.catalog
        for index in range(catalog.size):
            if index in catalog.deleted:
                continue
            if tests and not self._matches(index, tests):
                continue
            yield index

    def _matches(self, index: int, tests: list[tuple[str, str, Any]]) -> bool:
        created, updated, status = self.store.catalog.meta(index)
        for field_name, op, value in tests:
            if field_name == "status":
                if status not in value:
                    return False
                continue
            subject: Any = {"updated_at": updated, "created_at": created}.get(field_name)
            if field_name == "id":
                subject = product_id(index)
            ok = {
                ">": subject > value,
                ">=": subject >= value,
                "<": subject < value,
                "<=": subject <= value,
                "=": subject == value,
            }[op]
            if not ok:
                return False
        return True

    def _products(self, args: dict[str, Any]) -> Any:
        first = args.get("first")
        if args.get("last") is not None or args.get("before") is not None:
            return _Error("Backward paging is not supported by the fake store.", "BAD_REQUEST")
        if not isinstance(first, int) or not 0 < first <= MAX_FIRST:
            return _Error(f"The first argument must be between 1 and {MAX_FIRST}.", "BAD_REQUEST")
        try:
            after = decode_cursor("last_id", args.get("after"))
        except GraphQLSyntaxError as exc:
            return _Error(str(exc), "BAD_REQUEST")
        start = -1
        if after is not None:
            anchor = product_index(after)
            start = anchor if anchor is not None else -1
        found: list[int] = []
        indexes = self.matching(args.get("query"))
        if args.get("reverse") is True:
            # Newest id first (`sortKey: ID, reverse: true`): the first page only.
            if after is not None:
                return _Error(
                    "Paging a reversed listing is not supported by the fake store.", "BAD_REQUEST"
                )
            indexes = iter(sorted(indexes, reverse=True))
            start = -1
        for index in indexes:
            if index <= start:
                continue
            found.append(index)
            if len(found) > first:
                break
        items = [self.views.product(i) for i in found[:first]]
        return Conn(
            items,
            has_next=len(found) > first,
            cursor=lambda _pos, item: encode_cursor("last_id", int(item["legacyResourceId"])),
        )


class _Error:
    def __init__(self, message: str, code: str) -> None:
        self.body = {"message": message, "extensions": {"code": code}}
