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
from typing import Any, Literal, cast

import pydantic_core
from pydantic import ValidationError

from g4hub_connectors.errors import UnexpectedResponseError
from g4hub_connectors.shopify_graphql.payloads import bulk_row_adapter, bulk_rows_adapter

__all__ = ["ProductAssembler", "parse_block"]

_PRODUCT = "gid://shopify/Product/"
_VARIANT = "gid://shopify/ProductVariant/"
_CACHE_STRINGS: Literal["keys"] = "keys"
"""Only keys are worth caching: most values are ids, SKUs and titles seen once, and caching
every string too made decoding a bulk file a third slower."""


def _checked_line(number: int, line: bytes) -> dict[str, Any]:
    """Line `number` decoded and checked on its own, or the error saying why it does not pass."""
    try:
        row = pydantic_core.from_json(line, cache_strings=_CACHE_STRINGS)
    except ValueError:
        raise UnexpectedResponseError(
            f"bulk result line {number} is not JSON ({len(line)} bytes)", platform="shopify"
        ) from None
    try:
        bulk_row_adapter.validate_python(row)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(map(str, first["loc"])) or "row"
        raise UnexpectedResponseError(
            f"bulk result line {number} is not what the API documents ({where}: {first['msg']})",
            platform="shopify",
        ) from None
    return cast(dict[str, Any], row)


def parse_block(block: bytes, first_line: int) -> list[dict[str, Any]]:
    """The rows of a block of whole JSONL lines (the first is line `first_line` of the file),
    decoded as one JSON array (JSON strings cannot hold a raw newline, so the line breaks can
    become commas) and checked against `BulkRow` in one pass each. The rows are the decoded
    JSON itself, every key kept. A line that is not JSON, or not one row the API documents, is
    an `UnexpectedResponseError` naming its line: never skipped."""
    text = block.strip(b"\n")
    if not text:
        return []
    first_line += len(block) - len(block.lstrip(b"\n"))
    with contextlib.suppress(ValueError):  # pydantic's ValidationError is a ValueError
        rows = pydantic_core.from_json(
            b"[" + text.replace(b"\n", b",") + b"]", cache_strings=_CACHE_STRINGS
        )
        # As many rows as lines: no line was blank or held two values.
        if len(rows) == text.count(b"\n") + 1:
            bulk_rows_adapter.validate_python(rows)
            return cast(list[dict[str, Any]], rows)
    # Line by line, to name the culprit (a blank line also lands here, and is passed over).
    return [
        _checked_line(number, line)
        for number, line in enumerate(text.split(b"\n"), first_line)
        if line.strip()
    ]


class ProductAssembler:
    """Products rebuilt from the blocks of a grouped bulk JSONL file, fed in order: each a
    product line with its variants and media gathered into `variants.nodes` and `media.nodes`,
    as a paged query has them; every row checked against `BulkRow` and kept as the file has it
    (without `__parentId`).

    `lines` counts the rows read so far (to compare with the operation's `objectCount`)."""

    def __init__(self) -> None:
        self.lines = 0
        self._next_line = 1
        self._open: dict[str, Any] | None = None
        self._open_id: str | None = None
        self._variants: list[dict[str, Any]] = []
        self._media: list[dict[str, Any]] = []

    def feed(self, block: bytes) -> Iterator[dict[str, Any]]:
        """The products the block of whole lines completes (the last product read stays open
        until the next product line, or `finish`)."""
        rows = parse_block(block, self._next_line)
        self._next_line += block.count(b"\n")
        self.lines += len(rows)
        # One pass over every line of the export: the open product's state in locals.
        product, product_id = self._open, self._open_id
        variants, media = self._variants, self._media
        for row in rows:
            parent = row.pop("__parentId", None)
            if parent is None:
                if product is not None:
                    yield product
                product_id = row["id"]
                if not product_id.startswith(_PRODUCT):
                    raise UnexpectedResponseError(
                        f"bulk result row of an unexpected type ({product_id[:40]})",
                        platform="shopify",
                    )
                product, variants, media = row, [], []
                row["variants"] = {"nodes": variants}
                row["media"] = {"nodes": media}
            elif parent != product_id:
                # Shopify writes each child after its parent; anything else cannot be rebuilt in a
                # single pass, and guessing would attach variants to the wrong product.
                raise UnexpectedResponseError(
                    "bulk result child row is not after its product", platform="shopify"
                )
            elif row["id"].startswith(_VARIANT):
                variants.append(row)
            else:
                media.append(row)
        self._open, self._open_id = product, product_id
        self._variants, self._media = variants, media

    def finish(self) -> dict[str, Any] | None:
        """The last product of the file, once every block was fed."""
        product, self._open = self._open, None
        return product
