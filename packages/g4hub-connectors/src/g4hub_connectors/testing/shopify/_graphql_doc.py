"""Just enough GraphQL for the fake store: parse a document, compute Shopify's query cost, and
project rendered objects onto the selection (`graphql-core` is not a dependency).

Cost follows shopify.dev ("GraphQL Admin API rate limits"): scalars and enums cost 0, objects 1,
connections 2 plus the objects they may return (`first`) times each object's cost, mutations 10.
The actual cost counts the objects a connection really returned.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Conn",
    "Document",
    "Field",
    "GraphQLSyntaxError",
    "actual_cost",
    "decode_cursor",
    "encode_cursor",
    "flatten_rows",
    "parse",
    "project",
    "requested_cost",
]

_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<spread>\.\.\.)|(?P<num>-?\d+(?:\.\d+)?)'
    r"|(?P<name>[_A-Za-z][_0-9A-Za-z]*)|(?P<punct>[{}()\[\]:$!=@,])|(?P<comment>#[^\n]*))"
)
MUTATION_COST = 10


class GraphQLSyntaxError(ValueError):
    pass


@dataclass
class Var:
    name: str


@dataclass
class Field:
    name: str
    alias: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    selections: list[Selection] | None = None
    directives: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.alias or self.name


@dataclass
class Spread:
    name: str


@dataclass
class Inline:
    type_name: str | None
    selections: list[Selection]


Selection = Field | Spread | Inline


@dataclass
class Operation:
    kind: str
    name: str | None
    selections: list[Selection]
    directives: list[tuple[str, dict[str, Any]]]


@dataclass
class Document:
    operations: list[Operation]
    fragments: dict[str, list[Selection]]

    def operation(self, name: str | None) -> Operation:
        if name is not None:
            for op in self.operations:
                if op.name == name:
                    return op
            raise GraphQLSyntaxError(f"Unknown operation named '{name}'.")
        if len(self.operations) != 1:
            raise GraphQLSyntaxError("An operation name is required")
        return self.operations[0]


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            if text[pos:].strip() == "":
                break
            raise GraphQLSyntaxError(f"Parse error on {text[pos : pos + 10]!r}")
        pos = match.end()
        kind = match.lastgroup
        if kind is None or kind == "comment":
            continue
        out.append((kind, match.group(kind)))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        while self.i < len(self.tokens) and self.tokens[self.i] == ("punct", ","):
            self.i += 1
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise GraphQLSyntaxError(f"Parse error: expected {value!r}, got {token!r}")
        self.i += 1
        return token

    def at(self, value: str) -> bool:
        token = self.peek()
        return token is not None and token[1] == value and token[0] in ("punct", "spread", "name")

    def document(self) -> Document:
        operations: list[Operation] = []
        fragments: dict[str, list[Selection]] = {}
        while self.peek() is not None:
            if self.at("{"):
                operations.append(Operation("query", None, self.selection_set(), []))
            elif self.at("fragment"):
                self.take()
                name = self.take()[1]
                self.take("on")
                self.take()
                fragments[name] = self.selection_set()
            else:
                kind = self.take()[1]
                if kind not in ("query", "mutation"):
                    raise GraphQLSyntaxError(f"Parse error on {kind!r}")
                token = self.peek()
                op_name = self.take()[1] if token is not None and token[0] == "name" else None
                if self.at("("):
                    self.variable_definitions()
                directives = self.directives()
                operations.append(Operation(kind, op_name, self.selection_set(), directives))
        return Document(operations, fragments)

    def variable_definitions(self) -> None:
        depth = 0
        while True:
            token = self.take()
            if token[1] == "(":
                depth += 1
            elif token[1] == ")":
                depth -= 1
                if depth == 0:
                    return

    def directives(self) -> list[tuple[str, dict[str, Any]]]:
        found = []
        while self.at("@"):
            self.take()
            name = self.take()[1]
            found.append((name, self.arguments() if self.at("(") else {}))
        return found

    def selection_set(self) -> list[Selection]:
        self.take("{")
        selections: list[Selection] = []
        while not self.at("}"):
            if self.at("..."):
                self.take()
                if self.at("on"):
                    self.take()
                    type_name = self.take()[1]
                    self.directives()
                    selections.append(Inline(type_name, self.selection_set()))
                elif self.at("{"):
                    selections.append(Inline(None, self.selection_set()))
                else:
                    selections.append(Spread(self.take()[1]))
                continue
            name = self.take()[1]
            alias = None
            if self.at(":"):
                self.take()
                alias, name = name, self.take()[1]
            args = self.arguments() if self.at("(") else {}
            directives = self.directives()
            sub = self.selection_set() if self.at("{") else None
            selections.append(Field(name, alias, args, sub, directives))
        self.take("}")
        return selections

    def arguments(self) -> dict[str, Any]:
        self.take("(")
        args: dict[str, Any] = {}
        while not self.at(")"):
            name = self.take()[1]
            self.take(":")
            args[name] = self.value()
        self.take(")")
        return args

    def value(self) -> Any:
        kind, text = self.take()
        if text == "$":
            return Var(self.take()[1])
        if kind == "str":
            return bytes(text[1:-1], "utf-8").decode("unicode_escape")
        if kind == "num":
            return float(text) if "." in text else int(text)
        if text == "[":
            items = []
            while not self.at("]"):
                items.append(self.value())
            self.take("]")
            return items
        if text == "{":
            obj = {}
            while not self.at("}"):
                key = self.take()[1]
                self.take(":")
                obj[key] = self.value()
            self.take("}")
            return obj
        return {"true": True, "false": False, "null": None}.get(text, text)


def parse(text: str) -> Document:
    return _Parser(text).document()


def resolve(value: Any, variables: dict[str, Any]) -> Any:
    """An argument value with its variables filled in."""
    if isinstance(value, Var):
        return variables.get(value.name)
    if isinstance(value, list):
        return [resolve(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, variables) for k, v in value.items()}
    return value


def fields_of(
    selections: Sequence[Selection], fragments: dict[str, list[Selection]], type_name: str | None
) -> Iterator[Field]:
    """The fields selected on an object of `type_name` (`None`: any type), fragments expanded."""
    for sel in selections:
        if isinstance(sel, Field):
            yield sel
        elif isinstance(sel, Spread):
            yield from fields_of(fragments.get(sel.name, []), fragments, type_name)
        elif sel.type_name is None or type_name is None or sel.type_name == type_name:
            yield from fields_of(sel.selections, fragments, type_name)


def _node_selection(conn: Field, fragments: dict[str, list[Selection]]) -> list[Selection]:
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
            node = 1 + requested_cost(_node_selection(f, fragments), fragments, variables)
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
            node_sel = _node_selection(f, fragments)
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
            node_sel = _node_selection(f, fragments)
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
        node_sel = _node_selection(f, fragments)
        for item in conn.items:
            yield from flatten_rows(node_sel, item, fragments, data.get("id"))
