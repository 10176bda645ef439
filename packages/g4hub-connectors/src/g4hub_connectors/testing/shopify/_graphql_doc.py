"""Just enough GraphQL for the fake store: parse a document into operations, fields (with
arguments and directives), fragments and inline fragments (`graphql-core` is not a dependency).
Executing it, cost included, is `_graphql_exec`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Document",
    "Field",
    "GraphQLSyntaxError",
    "Inline",
    "Operation",
    "Selection",
    "Spread",
    "fields_of",
    "parse",
    "resolve",
]

_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<spread>\.\.\.)|(?P<num>-?\d+(?:\.\d+)?)'
    r"|(?P<name>[_A-Za-z][_0-9A-Za-z]*)|(?P<punct>[{}()\[\]:$!=@,])|(?P<comment>#[^\n]*))"
)


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
