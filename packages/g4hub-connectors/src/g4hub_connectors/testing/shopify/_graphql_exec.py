"""Executing a parsed document in the fake store: Shopify's query cost, connections paged and
projected onto the selection, and a bulk operation's flattened JSONL rows.

Cost follows shopify.dev ("GraphQL Admin API rate limits"): scalars and enums cost 0, objects 1,
connections 2 plus the objects they may return (`first`) times each object's cost, mutations 10.
The actual cost counts the objects a connection really returned.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from g4hub_connectors.testing.shopify._graphql_doc import (
    Field,
    GraphQLSyntaxError,
    Selection,
    fields_of,
    resolve,
)

__all__ = [
    "MUTATION_COST",
    "Conn",
    "actual_cost",
    "decode_cursor",
    "encode_cursor",
    "flatten_rows",
    "node_selection",
    "project",
    "requested_cost",
]

MUTATION_COST = 10


def node_selection(conn: Field, fragments: dict[str, list[Selection]]) -> list[Selection]:
    for sub in fields_of(conn.selections or [], fragments, None):
        if sub.name == "nodes":
            return sub.selections or []
        if sub.name == "edges":
            for inner in fields_of(sub.selections or [], fragments, None):
                if inner.name == "node":
                    return inner.selections or []
    return []


def _is_connection(f: Field, variables: dict[str, Any]) -> bool:
    return "first" in f.args or "last" in f.args


def requested_cost(
    selections: Sequence[Selection],
    fragments: dict[str, list[Selection]],
    variables: dict[str, Any],
) -> int:
    total = 0
    for f in fields_of(selections, fragments, None):
        if f.selections is None:
            continue
        if _is_connection(f, variables):
            size = resolve(f.args.get("first", f.args.get("last")), variables) or 0
            # Each object the connection may return costs 1, plus what is selected on it.
            node = 1 + requested_cost(node_selection(f, fragments), fragments, variables)
            total += 2 + int(size) * node
        else:
            total += 1 + requested_cost(f.selections, fragments, variables)
    return total


@dataclass
class Conn:
    """A connection's items before paging: the projector slices it by `first`/`after`.

    A top-level listing pages itself and passes `has_next`; nested ones hold all their items.
    `cursor` gives an item's cursor (default: its position)."""

    items: Sequence[dict[str, Any]]
    has_next: bool | None = None
    cursor: Callable[[int, dict[str, Any]], str] | None = None
    offset: int = 0


def encode_cursor(kind: str, position: int) -> str:
    return base64.b64encode(f'{{"{kind}":{position}}}'.encode()).decode()


def decode_cursor(kind: str, cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        text = base64.b64decode(cursor).decode()
        prefix = f'{{"{kind}":'
        if not text.startswith(prefix) or not text.endswith("}"):
            raise ValueError
        return int(text[len(prefix) : -1])
    except (ValueError, UnicodeDecodeError):
        raise GraphQLSyntaxError(f"Invalid cursor for {kind}") from None


def _page(
    f: Field, conn: Conn, variables: dict[str, Any]
) -> tuple[list[tuple[int, dict[str, Any]]], bool]:
    positions = list(enumerate(conn.items, start=conn.offset))
    if conn.has_next is not None:
        return positions, conn.has_next
    after = decode_cursor("position", resolve(f.args.get("after"), variables))
    if after is not None:
        positions = [(i, item) for i, item in positions if i > after]
    first = resolve(f.args.get("first"), variables)
    if first is None:
        return positions, False
    return positions[: int(first)], len(positions) > int(first)


def _cursor(conn: Conn, position: int, item: dict[str, Any]) -> str:
    return conn.cursor(position, item) if conn.cursor else encode_cursor("position", position)


def project(
    selections: Sequence[Selection],
    data: dict[str, Any],
    fragments: dict[str, list[Selection]],
    variables: dict[str, Any],
) -> dict[str, Any]:
    """`data` (a rendered object, connections as `Conn`) cut to what `selections` ask for."""
    out: dict[str, Any] = {}
    for f in fields_of(selections, fragments, data.get("__typename")):
        value = data.get(f.name)
        if callable(value) and not isinstance(value, Conn):
            value = value(resolve(f.args, variables))
        if isinstance(value, Conn):
            page, has_next = _page(f, value, variables)
            node_sel = node_selection(f, fragments)
            nodes = [project(node_sel, item, fragments, variables) for _, item in page]
            result: dict[str, Any] = {}
            for sub in fields_of(f.selections or [], fragments, None):
                if sub.name == "nodes":
                    result[sub.key] = nodes
                elif sub.name == "edges":
                    result[sub.key] = [
                        {"cursor": _cursor(value, i, item), "node": node}
                        for (i, item), node in zip(page, nodes, strict=True)
                    ]
                elif sub.name == "pageInfo":
                    info = {
                        "hasNextPage": has_next,
                        "hasPreviousPage": bool(page) and page[0][0] > 0,
                        "endCursor": _cursor(value, *page[-1]) if page else None,
                        "startCursor": _cursor(value, *page[0]) if page else None,
                    }
                    result[sub.key] = {
                        s.key: info.get(s.name)
                        for s in fields_of(sub.selections or [], fragments, None)
                    }
            out[f.key] = result
        elif f.selections is None or value is None:
            out[f.key] = value
        elif isinstance(value, list):
            out[f.key] = [project(f.selections, item, fragments, variables) for item in value]
        else:
            out[f.key] = project(f.selections, value, fragments, variables)
    return out


def actual_cost(
    selections: Sequence[Selection],
    data: dict[str, Any] | None,
    fragments: dict[str, list[Selection]],
    variables: dict[str, Any],
) -> int:
    """The cost of what was returned: connections count the nodes they hold."""
    total = 0
    for f in fields_of(selections, fragments, None):
        if f.selections is None:
            continue
        value = data.get(f.key) if data else None
        if _is_connection(f, variables):
            node_sel = node_selection(f, fragments)
            nodes: list[Any] = []
            if isinstance(value, dict):
                nodes = value.get("nodes") or [e.get("node") for e in value.get("edges") or []]
            total += 2 + sum(1 + actual_cost(node_sel, n, fragments, variables) for n in nodes)
        elif isinstance(value, list):
            total += 1 + max(
                (actual_cost(f.selections, v, fragments, variables) for v in value), default=0
            )
        else:
            total += 1 + actual_cost(f.selections, value, fragments, variables)
    return total


def flatten_rows(
    selections: Sequence[Selection],
    data: dict[str, Any],
    fragments: dict[str, list[Selection]],
    parent: str | None = None,
) -> Iterator[dict[str, Any]]:
    """A bulk operation's JSONL rows for one object: the object without its connections, then
    each connection's nodes (recursively) with `__parentId`."""
    row: dict[str, Any] = {}
    children: list[tuple[Field, Conn]] = []
    for f in fields_of(selections, fragments, data.get("__typename")):
        value = data.get(f.name)
        if isinstance(value, Conn):
            children.append((f, value))
        elif callable(value):
            continue
        elif f.selections is None or value is None:
            row[f.key] = value
        elif isinstance(value, list):
            row[f.key] = [project(f.selections, v, fragments, {}) for v in value]
        else:
            row[f.key] = project(f.selections, value, fragments, {})
    if parent is not None:
        row["__parentId"] = parent
    yield row
    for f, conn in children:
        node_sel = node_selection(f, fragments)
        for item in conn.items:
            yield from flatten_rows(node_sel, item, fragments, data.get("id"))
