"""`HubRequest`: the app's request class, which refuses JSON bodies nested deeper than
`MAX_JSON_DEPTH` before they reach the decoder.

The JSON decoder recurses once per level of nesting and fails with `RecursionError` near a
thousand levels, which would be a 500. No body the API documents is nested more than a few
levels, so a limit far above that and far below the decoder's is a 400 for hostile input only.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.status_codes import HTTP_400_BAD_REQUEST
from litestar.types import Empty

from hub_api.errors import ApiError

__all__ = ["MAX_JSON_DEPTH", "HubRequest", "json_depth_exceeds"]

MAX_JSON_DEPTH = 64
"""Arrays and objects inside one another, at most."""

_OPEN = frozenset(b"[{")
_CLOSE = frozenset(b"]}")
_QUOTE = ord('"')
_BACKSLASH = ord("\\")


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether `body`, read as JSON, nests arrays and objects more than `limit` deep.

    Brackets inside strings do not count. The body need not be valid JSON: the decoder judges
    that afterwards; this only keeps it from recursing past its limit.
    """
    # Counted in C first: a body with no more opening brackets than the limit cannot exceed it,
    # which spares nearly every real request the scan below.
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSE:
            depth -= 1
    return False


class HubRequest(Request[Any, Any, Any]):
    """A Litestar request whose `json()` answers 400 `json_too_deep` for a body nested more
    than `MAX_JSON_DEPTH` levels, instead of letting the decoder overflow the stack."""

    async def json(self) -> Any:
        if self._json is Empty and json_depth_exceeds(await self.body()):
            raise ApiError(
                HTTP_400_BAD_REQUEST,
                "json_too_deep",
                f"The JSON body nests arrays or objects more than {MAX_JSON_DEPTH} levels deep.",
                details={"max_depth": MAX_JSON_DEPTH},
            )
        return await super().json()
