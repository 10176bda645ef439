"""`Sealed`: a ciphertext as the ORM holds it. It cannot be read without the vault, and its repr
shows only which key sealed it."""

from __future__ import annotations

from typing import Any

import attrs
from sqlalchemy import Dialect, Text, TypeDecorator

__all__ = ["Sealed", "SealedType"]


@attrs.frozen(repr=False)
class Sealed:
    """`<key id>:<base64url(nonce || ciphertext || tag)>`."""

    token: str

    @property
    def key_id(self) -> str:
        return self.token.partition(":")[0]

    def __repr__(self) -> str:
        return f"Sealed(key_id={self.key_id!r}, …)"

    __str__ = __repr__


class SealedType(TypeDecorator[Sealed]):
    """Stores a `Sealed` as its token text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Sealed | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Sealed):
            raise TypeError("only a Sealed value may be stored in a sealed column")
        return value.token

    def process_result_value(self, value: Any, dialect: Dialect) -> Sealed | None:
        return None if value is None else Sealed(str(value))
