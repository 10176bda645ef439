"""The credential vault: AES-256-GCM with a key id in front of every ciphertext."""

from g4hub_core.vault.keys import SecretKey, generate_key, load_keys, parse_keys
from g4hub_core.vault.sealed import Sealed
from g4hub_core.vault.vault import Vault

__all__ = ["Sealed", "SecretKey", "Vault", "generate_key", "load_keys", "parse_keys"]
