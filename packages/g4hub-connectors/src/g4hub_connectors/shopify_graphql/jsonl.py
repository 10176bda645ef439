"""Decoding a bulk export's JSONL result: blocks of whole lines parsed and validated, and
products rebuilt from their rows.

In the file nested connections are flattened: each variant and medium is a line of its own
carrying `__parentId`, the product's GID, and (with `groupObjects: true`) follows its product.
`ProductAssembler` rebuilds one product at a time, so memory stays flat whatever the catalog's
size.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from g4hub_connectors.errors import UnexpectedResponseError
from g4hub_connectors.shopify_graphql.payloads import bulk_rows_adapter

__all__ = ["ProductAssembler", "parse_block"]

_PRODUCT = "gid://shopify/Product/"
_VARIANT = "gid://shopify/ProductVariant/"


def _bad_line(number: int, line: bytes, error: ValidationError) -> UnexpectedResponseError:
    first = error.errors(include_input=False, include_url=False)[0]
    if first["type"] == "json_invalid":
        what = f"is not JSON ({len(line)} bytes)"
    else:
        where = ".".join(map(str, first["loc"][1:])) or "row"
        what = f"is not what the API documents ({where}: {first['msg']})"
    return UnexpectedResponseError(f"bulk result line {number} {what}", platform="shopify")


def parse_block(block: bytes, first_line: int) -> list[Any]:
    """The rows of a block of whole JSONL lines (the first is line `first_line` of the file),
    parsed and validated as one JSON array in one pass (JSON strings cannot hold a raw newline,
    so the line breaks can become commas). A line that is not JSON, or not a row the API
    documents, is an `UnexpectedResponseError` naming its line: never skipped."""
    text = block.strip(b"\n")
    if not text:
        return []
    first_line += len(block) - len(block.lstrip(b"\n"))
    with contextlib.suppress(ValidationError):
        return bulk_rows_adapter.validate_json(b"[" + text.replace(b"\n", b",") + b"]")
    # Line by line, to name the culprit (a blank line also lands here, and is passed over).
    rows = []
    for number, line in enumerate(text.split(b"\n"), first_line):
        if not line.strip():
            continue
        try:
            rows.extend(bulk_rows_adapter.validate_json(b"[" + line + b"]"))
        except ValidationError as exc:
            raise _bad_line(number, line, exc) from None
    return rows


class ProductAssembler:
    """Products rebuilt from the blocks of a grouped bulk JSONL file, fed in order: each a
    product line with its variants and media gathered into `variants.nodes` and `media.nodes`,
    as a paged query has them; every row validated (`BulkRow`), unknown keys kept.

    `lines` counts the rows read so far (to compare with the operation's `objectCount`)."""

    def __init__(self) -> None:
        self.lines = 0
        self._next_line = 1
        self._current: dict[str, Any] | None = None
        self._variants: list[Any] = []
        self._media: list[Any] = []

    def feed(self, block: bytes) -> Iterator[dict[str, Any]]:
        """The products the block of whole lines completes (the last product read stays open
        until the next product line, or `finish`)."""
        rows = parse_block(block, self._next_line)
        self._next_line += block.count(b"\n")
        self.lines += len(rows)
        for row in rows:
            parent = row.pop("__parentId", None)
            if parent is None:
                if self._current is not None:
                    yield self._close(self._current)
                if not row["id"].startswith(_PRODUCT):
                    raise UnexpectedResponseError(
                        f"bulk result row of an unexpected type ({row['id'][:40]})",
                        platform="shopify",
                    )
                self._current, self._variants, self._media = row, [], []
                continue
            if self._current is None or parent != self._current["id"]:
                # Shopify writes each child after its parent; anything else cannot be rebuilt in a
                # single pass, and guessing would attach variants to the wrong product.
                raise UnexpectedResponseError(
                    "bulk result child row is not after its product", platform="shopify"
                )
            (self._variants if row["id"].startswith(_VARIANT) else self._media).append(row)

    def finish(self) -> dict[str, Any] | None:
        """The last product of the file, once every block was fed."""
        return None if self._current is None else self._close(self._current)

    def _close(self, product: dict[str, Any]) -> dict[str, Any]:
        product["variants"] = {"nodes": self._variants}
        product["media"] = {"nodes": self._media}
        self._current = None
        return product
