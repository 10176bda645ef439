"""Store URL validation and normalization, done before any request is sent."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from g4hub_connectors.errors import InvalidStoreURLError

_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SHOP_HANDLE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
# Paths people paste from their browser that are not part of the WordPress install's base.
_WP_SUFFIXES = ("/wp-admin", "/wp-json", "/wp-login.php", "/index.php")


def _fail(message: str, platform: str, detail: str) -> InvalidStoreURLError:
    return InvalidStoreURLError(detail, platform=platform, user_message=message)


def is_local_host(host: str) -> bool:
    """True for `localhost` and IP literals: development and fake stores, never a real shop."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _split(raw: str, platform: str, example: str) -> tuple[str, str, str, int | None]:
    text = raw.strip()
    if not text:
        raise _fail(f"Please enter your store's address, like {example}.", platform, "empty URL")
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise _fail(
            f"“{raw.strip()}” is not a valid web address. Please enter it like {example}.",
            platform,
            f"unparsable URL: {exc}",
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise _fail(
            f"Store addresses start with https:// (got {scheme}://). "
            f"Please enter it like {example}.",
            platform,
            f"unsupported scheme {scheme!r}",
        )
    if parts.username is not None or parts.password is not None:
        raise _fail(
            "Please enter the store address without a user name or password in it; "
            "credentials go in their own fields.",
            platform,
            "credentials embedded in URL",
        )
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise _fail(
            f"Please enter your store's address, like {example}.", platform, "URL has no host"
        )
    if not is_local_host(host):
        try:
            ascii_host = host.encode("idna").decode("ascii")
        except UnicodeError:
            ascii_host = ""
        labels = ascii_host.split(".")
        if len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
            raise _fail(
                f"“{host}” is not a valid host name. Please enter your store's address, "
                f"like {example}.",
                platform,
                f"invalid host {host!r}",
            )
        host = ascii_host
    return scheme, host, parts.path, port


def _netloc(host: str, port: int | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if port is not None else shown


def normalize_woocommerce_url(raw: str) -> str:
    """`https://host[:port][/sub/folder]`, without a trailing slash or query.

    A sub-folder install keeps its path; admin and REST paths pasted from a browser are cut off.
    """
    scheme, host, path, port = _split(raw, "woocommerce", "https://mystore.com")
    path = path.rstrip("/")
    lowered = path.lower()
    for suffix in _WP_SUFFIXES:
        cut = lowered.find(suffix)
        if cut != -1:
            path, lowered = path[:cut], lowered[:cut]
    return urlunsplit((scheme, _netloc(host, port), path.rstrip("/"), "", ""))


def normalize_shopify_url(raw: str) -> str:
    """`https://{shop}.myshopify.com`, from a handle, a domain, or an admin URL.

    Accepts `mystore`, `mystore.myshopify.com`, `https://mystore.myshopify.com/admin/products`
    and `https://admin.shopify.com/store/mystore/...`. Custom domains do not serve the Admin API
    and are refused. `localhost` and IP addresses are kept as given, for fake and staging stores.
    """
    text = raw.strip()
    if text and "." not in text and "/" not in text and ":" not in text:
        text = f"{text}.myshopify.com"
    scheme, host, path, port = _split(text, "shopify", "https://mystore.myshopify.com")
    if is_local_host(host):
        return urlunsplit((scheme, _netloc(host, port), path.rstrip("/"), "", ""))
    if host == "admin.shopify.com":
        segments = [s for s in path.split("/") if s]
        if len(segments) >= 2 and segments[0] == "store":
            host = f"{segments[1].lower()}.myshopify.com"
        else:
            raise _fail(
                "Please enter your store's address, like https://mystore.myshopify.com.",
                "shopify",
                "admin.shopify.com URL without a store handle",
            )
    if not host.endswith(".myshopify.com"):
        raise _fail(
            f"“{host}” is not a .myshopify.com address. Shopify's Admin API answers only at "
            "your store's myshopify.com address (Settings → Domains shows it), "
            "like https://mystore.myshopify.com.",
            "shopify",
            f"not a myshopify.com host: {host!r}",
        )
    handle = host.removesuffix(".myshopify.com")
    if not _SHOP_HANDLE.match(handle):
        raise _fail(
            f"“{handle}” is not a valid Shopify store name.",
            "shopify",
            f"invalid shop handle {handle!r}",
        )
    return f"https://{handle}.myshopify.com"
