"""Sealing and opening credentials with AES-256-GCM."""

from __future__ import annotations

import base64
import binascii
import os
import uuid
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from g4hub_core.errors import InvalidInput, VaultError
from g4hub_core.vault.keys import SecretKey
from g4hub_core.vault.sealed import Sealed

__all__ = ["Vault", "store_context"]

_NONCE_BYTES = 12


def store_context(tenant_id: uuid.UUID, store_id: uuid.UUID) -> bytes:
    """Associated data binding a store's credentials to their row: a ciphertext copied into
    another store or tenant does not open."""
    return f"g4hub/store-credentials/v1/{tenant_id}/{store_id}".encode()


class Vault:
    """Seals with the first key; opens with whichever key's id the token names."""

    def __init__(self, keys: Sequence[SecretKey]) -> None:
        if not keys:
            raise InvalidInput("the vault needs at least one key")
        self._primary = keys[0]
        self._keys = {key.key_id: AESGCM(key.material) for key in keys}

    def __repr__(self) -> str:
        return f"Vault(primary={self._primary.key_id!r}, keys={len(self._keys)})"

    @property
    def primary_key_id(self) -> str:
        return self._primary.key_id

    def seal(self, plaintext: bytes, *, context: bytes) -> Sealed:
        nonce = os.urandom(_NONCE_BYTES)
        ciphertext = self._keys[self._primary.key_id].encrypt(nonce, plaintext, context)
        payload = base64.urlsafe_b64encode(nonce + ciphertext).decode().rstrip("=")
        return Sealed(f"{self._primary.key_id}:{payload}")

    def open(self, sealed: Sealed, *, context: bytes) -> bytes:
        key_id, _, payload = sealed.token.partition(":")
        aead = self._keys.get(key_id)
        if aead is None:
            raise VaultError(
                f"These credentials were sealed with key {key_id!r}, which is not configured. "
                "Add it to G4HUB_SECRET_KEYS (after the current key) to open them.",
                code="vault_key_missing",
            )
        try:
            raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
            return aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context)
        except (InvalidTag, binascii.Error, ValueError):
            raise VaultError(
                "Stored credentials could not be opened: they were altered or belong to another "
                "store. Enter the store's credentials again.",
                code="vault_tampered",
            ) from None

    def is_current(self, sealed: Sealed) -> bool:
        """Whether `sealed` is under the sealing key (rotation skips it)."""
        return sealed.key_id == self._primary.key_id
