"""API keys in the fake WooCommerce store, and the answers to requests they may not make."""

from __future__ import annotations

from dataclasses import dataclass

from g4hub_connectors.testing._asgi import Response
from g4hub_connectors.testing.woocommerce._wp import wp_error

__all__ = ["READS", "WRITES", "Key", "auth_error", "can", "denied"]

READS = ("GET", "HEAD")
WRITES = ("POST", "PUT", "PATCH")


@dataclass(frozen=True)
class Key:
    """A row of `woocommerce_api_keys`, with the capabilities of the user it belongs to."""

    key_id: int
    secret: str
    permissions: str
    capabilities: frozenset[str]

    def check_method(self, method: str) -> Response | None:
        """`check_permissions()`: a read-only key may not write, a write-only key not read."""
        if method in READS and self.permissions not in ("read", "read_write"):
            return auth_error("The API key provided does not have read permissions.")
        if method in (*WRITES, "DELETE") and self.permissions not in ("write", "read_write"):
            return auth_error("The API key provided does not have write permissions.")
        if method not in (*READS, *WRITES, "DELETE", "OPTIONS"):
            return auth_error("Unknown request method.")
        return None


def auth_error(message: str) -> Response:
    return wp_error("woocommerce_rest_authentication_error", message, 401)


def denied(key: Key | None, code: str, message: str) -> Response:
    # rest_authorization_required_code(): 401 for a guest, 403 for a user without the right.
    return wp_error(code, message, 401 if key is None else 403)


def can(key: Key | None, capability: str) -> bool:
    return key is not None and capability in key.capabilities
