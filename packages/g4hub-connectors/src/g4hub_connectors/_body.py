"""Reading and decoding answer bodies within bounds: a size cap enforced while the body streams
in, and JSON parsing that names what came instead (HTML, a cut-off answer, nesting too deep)
rather than raising a decoder's traceback. The HTTP layer turns `BodyProblem`s into errors."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pydantic_core

__all__ = ["MAX_JSON_DEPTH", "BodyProblem", "describe_body", "parse_json", "read_capped", "size"]

MAX_JSON_DEPTH = 200
"""How deep the JSON parser (pydantic-core's) nests; no platform answer comes close."""
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


class BodyProblem(Exception):
    """The body is not what was wanted; `what` says what came instead, in a merchant's words."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class BodyTooLarge(BodyProblem):
    """The body passed the cap; `what` names the cap."""


def size(count: int) -> str:
    """`67108864` → `"64 MiB"`: sizes as a person reads them."""
    amount = float(count)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if amount < 1024 or unit == "GiB":
            return f"{amount:g} {unit}" if unit != "bytes" else f"{count} bytes"
        amount /= 1024
    raise AssertionError("unreachable")


async def read_capped(response: httpx.Response, cap: int) -> bytes:
    """The streamed `response`'s whole body, decompressed, or `BodyTooLarge` as soon as it passes
    `cap` bytes. The body is never held beyond the cap: a store (or a proxy) that sends gigabytes,
    or a small gzip that inflates to gigabytes, costs at most `cap` of memory."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise BodyTooLarge(
            f"an answer of {size(int(declared))} (Content-Length), over the {size(cap)} cap "
            "(max_response_bytes)"
        )
    chunks: list[bytes] = []
    received = 0
    async for chunk in response.aiter_bytes():
        received += len(chunk)
        if received > cap:
            raise BodyTooLarge(
                f"an answer still streaming past the {size(cap)} cap (max_response_bytes)"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def describe_body(response: httpx.Response) -> str:
    """A short, safe description of a body that is not the JSON we wanted."""
    body = response.content
    ctype = response.headers.get("content-type", "unknown type").split(";")[0].strip()
    if not body.strip():
        return f"an empty body ({ctype})"
    if b"<html" in body[:2048].lower() or ctype == "text/html":
        match = _TITLE.search(body[:8192])
        title = match.group(1).decode("utf-8", "replace").strip() if match else ""
        title = " ".join(title.split())[:80]
        return f"an HTML page titled “{title}”" if title else "an HTML page"
    return f"{len(body)} bytes of {ctype}"


def parse_json(body: bytes) -> Any:
    """`body` as JSON, or `BodyProblem` saying why not (truncated, malformed, too deep, not
    UTF-8)."""
    try:
        # pydantic-core's parser is several times faster than `json`, keeps big ints exact, and
        # stops at a fixed depth instead of exhausting the stack.
        return pydantic_core.from_json(body)
    except ValueError as exc:
        if "recursion limit" in str(exc):
            raise BodyProblem(
                f"JSON nested more than {MAX_JSON_DEPTH} levels deep, which no API answer is"
            ) from None
    try:
        # `json` runs only for a body pydantic-core refused (it explains the failure, or reads
        # the rare edge case pydantic-core does not); the depth check above bounds its recursion.
        return json.loads(body)
    except json.JSONDecodeError as exc:
        # An error at the very end (or a string never closed) means the body stopped early: a
        # proxy or the store cut the answer off. `pos` counts characters of the decoded text.
        if exc.pos >= len(exc.doc.rstrip()) - 1 or exc.msg.startswith("Unterminated string"):
            raise BodyProblem(f"JSON cut off after {len(body)} bytes (truncated answer)") from None
        raise BodyProblem(f"malformed JSON ({exc.msg} at character {exc.pos})") from None
    except UnicodeDecodeError as exc:
        if exc.start >= len(body) - 3:
            # Cut inside a multi-byte character: the answer stopped early.
            raise BodyProblem(f"JSON cut off after {len(body)} bytes (truncated answer)") from None
        raise BodyProblem("a body that is not UTF-8 text") from None
    except RecursionError:
        raise BodyProblem("JSON nested too deep to read") from None
