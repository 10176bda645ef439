"""Credential keys: parsed from settings, or generated once into the data directory."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import secrets
from pathlib import Path

import attrs

from g4hub_core.errors import InvalidInput
from g4hub_core.settings import HubSettings

__all__ = ["SecretKey", "generate_key", "load_keys", "parse_keys"]

_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


@attrs.frozen(repr=False)
class SecretKey:
    """A 256-bit key and the id written in front of what it seals."""

    key_id: str
    material: bytes = attrs.field(repr=False)

    def __attrs_post_init__(self) -> None:
        if len(self.material) != 32:
            raise InvalidInput("a credential key must be 32 bytes (base64 of 32 random bytes)")
        if not _KEY_ID.match(self.key_id):
            raise InvalidInput("a key id is 1-32 letters, digits, '-' or '_'")

    def __repr__(self) -> str:
        return f"SecretKey(key_id={self.key_id!r}, …)"

    def encoded(self) -> str:
        """`id:base64`, the form `G4HUB_SECRET_KEYS` and the key file take."""
        return f"{self.key_id}:{base64.urlsafe_b64encode(self.material).decode()}"


def _derived_id(material: bytes) -> str:
    # A key given without an id is named by its fingerprint, so the same key gets the same id on
    # every machine.
    return "k" + hashlib.sha256(material).hexdigest()[:8]


def _decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError):
        raise InvalidInput("a credential key is not valid base64") from None


def parse_keys(text: str) -> list[SecretKey]:
    """Parse `id:base64,base64,…`; the first key seals. Never echoes key material in errors."""
    keys: list[SecretKey] = []
    for index, item in enumerate(part.strip() for part in text.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.rpartition(":")
        material = _decode(encoded if sep else item)
        try:
            keys.append(SecretKey(key_id if sep else _derived_id(material), material))
        except InvalidInput as exc:
            raise InvalidInput(f"credential key #{index + 1}: {exc.message}") from None
    ids = [key.key_id for key in keys]
    if len(set(ids)) != len(ids):
        raise InvalidInput("two credential keys have the same id")
    return keys


def generate_key(key_id: str | None = None) -> SecretKey:
    material = secrets.token_bytes(32)
    return SecretKey(key_id or _derived_id(material), material)


def load_keys(settings: HubSettings) -> list[SecretKey]:
    """The keys from `G4HUB_SECRET_KEYS`, else from the data directory's key file, which is
    created (mode 0600) with a new key when missing."""
    if settings.secret_keys is not None and settings.secret_keys.get_secret_value().strip():
        keys = parse_keys(settings.secret_keys.get_secret_value())
        if keys:
            return keys
    path = settings.key_file
    if not path.exists():
        _write_new_key_file(path)
    return parse_keys(path.read_text())


def _write_new_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes starting at once must not each write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(generate_key().encoded() + "\n")
