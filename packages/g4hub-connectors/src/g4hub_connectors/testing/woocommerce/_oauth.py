"""WooCommerce's OAuth 1.0a check, rewritten from `class-wc-rest-authentication.php`.

This is deliberately not oauthlib: the fake store must check the connector's signer the way
WooCommerce's PHP does, quirks included, rather than agree with it by construction:

- the parameters are PHP's `$_GET` (`php_get`): `.` and ` ` in names become `_`, the last of
  repeated names wins, `a[b]=` makes arrays, and `array_merge` renumbers numeric names;
- they are sorted by raw name (`uksort(..., 'strcmp')`) before being percent-encoded, where
  RFC 5849 sorts the encoded names;
- the base URI is `home_url()` plus the request path below the install's base path, so a request
  for the site root ("/?rest_route=") is signed without a trailing slash;
- the key is `consumer_secret + "&"`, raw; HMAC-SHA1 and HMAC-SHA256 are accepted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from typing import Union
from urllib.parse import quote, unquote, unquote_plus, urlsplit

__all__ = [
    "PhpValue",
    "oauth_parameters",
    "php_get",
    "signature_matches",
    "wc_oauth_signature",
]

PhpValue = Union[str, "dict[str, PhpValue]"]

_PHP_INT = re.compile(r"-?(0|[1-9][0-9]{0,17})")
_HEADER_PARAM = re.compile(r'(oauth_[a-z_-]*)=(:?"([^"]*)"|([^,]*))')
_ALGORITHMS = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}
OAUTH_REQUIRED = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)


def _rawurlencode(value: str) -> str:
    """PHP's `rawurlencode` (RFC 3986: all but `A-Za-z0-9-_.~` percent-encoded, UTF-8)."""
    return quote(value, safe="~")


def php_get(pairs: Iterable[tuple[str, str]]) -> dict[str, PhpValue]:
    """`$_GET` as PHP builds it from the (already percent-decoded) query pairs."""
    result: dict[str, PhpValue] = {}
    for raw_name, value in pairs:
        name = raw_name.lstrip(" ")
        bracket = name.find("[")
        segments: list[str] = []
        if bracket > 0 and "]" in name[bracket:]:
            base, rest = name[:bracket], name[bracket:]
            while rest.startswith("["):
                end = rest.find("]")
                if end == -1:
                    break
                segments.append(rest[1:end])
                rest = rest[end + 1 :]
        else:
            # An unmatched "[" is one more character PHP turns into "_" in a variable name.
            base = name.replace("[", "_", 1) if bracket > 0 else name
        base = base.replace(".", "_").replace(" ", "_")
        if not base:
            continue
        if not segments:
            result[base] = value
            continue
        node = result.get(base)
        if not isinstance(node, dict):
            node = result[base] = {}
        for index, segment in enumerate(segments):
            key = segment or str(
                max((int(k) for k in node if _PHP_INT.fullmatch(k)), default=-1) + 1
            )
            if index == len(segments) - 1:
                node[key] = value
            else:
                child = node.get(key)
                if not isinstance(child, dict):
                    child = node[key] = {}
                node = child
    return result


def _array_merge(*arrays: Mapping[str, PhpValue]) -> dict[str, PhpValue]:
    """PHP's `array_merge`: string keys overwrite, integer keys are renumbered from 0."""
    merged: dict[str, PhpValue] = {}
    next_index = 0
    for array in arrays:
        for key, value in array.items():
            if _PHP_INT.fullmatch(key):
                merged[str(next_index)] = value
                next_index += 1
            else:
                merged[key] = value
    return merged


def _parse_oauth_header(header: str) -> dict[str, PhpValue]:
    if not header.startswith("OAuth "):
        return {}
    params: dict[str, PhpValue] = {}
    for match in _HEADER_PARAM.finditer(header):
        params[match.group(1)] = unquote_plus(match.group(3) or match.group(4))
    return params


def oauth_parameters(
    get: Mapping[str, PhpValue], authorization: str | None
) -> dict[str, PhpValue] | list[str] | None:
    """`get_oauth_parameters()`: the merged parameters, the list of missing OAuth parameters
    when only some are there, or `None` when the request does not try OAuth at all."""
    params = _array_merge(get)
    if authorization:
        header_params = _parse_oauth_header(authorization.strip())
        if header_params:
            params = _array_merge(params, header_params)
    missing = [name for name in OAUTH_REQUIRED if not params.get(name)]
    if len(missing) == len(OAUTH_REQUIRED):
        return None
    return missing or params


def _encode_values(value: PhpValue) -> PhpValue:
    if isinstance(value, dict):
        return {key: _encode_values(item) for key, item in value.items()}
    return _rawurlencode(value)


def _join_with_equals_sign(
    params: Mapping[str, PhpValue], out: list[str], prefix: str = ""
) -> None:
    for key, value in params.items():
        if prefix:
            key = f"{prefix}%5B{key}%5D"
        if isinstance(value, dict):
            _join_with_equals_sign(value, out, key)
        else:
            out.append(_rawurlencode(f"{key}={value}"))


def wc_oauth_signature(
    method: str, home_url: str, request_path: str, params: Mapping[str, PhpValue], secret: str
) -> str | None:
    """The signature WooCommerce expects, or `None` for a signature method it refuses.

    `home_url` is WordPress's `home` (scheme, host, port and install path, no trailing slash);
    `request_path` the path of the request URI, as sent.
    """
    wp_base = urlsplit(home_url).path.rstrip("/") + "/"
    if request_path.startswith(wp_base):
        request_path = request_path[len(wp_base) :]
    base_uri = home_url + ("/" + request_path.lstrip("/") if request_path else "")
    unsigned = {key: value for key, value in params.items() if key != "oauth_signature"}
    normalized = {_rawurlencode(key): _encode_values(unsigned[key]) for key in sorted(unsigned)}
    pairs: list[str] = []
    _join_with_equals_sign(normalized, pairs)
    string_to_sign = f"{method.upper()}&{_rawurlencode(base_uri)}&{'%26'.join(pairs)}"
    algorithm = _ALGORITHMS.get(str(normalized.get("oauth_signature_method")))
    if algorithm is None:
        return None
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), algorithm).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_matches(expected: str, provided: PhpValue | None) -> bool:
    """`hash_equals($signature, rawurldecode(str_replace(' ', '+', $provided)))`."""
    if not isinstance(provided, str):
        return False
    given = unquote(provided.replace(" ", "+"))
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogateescape"))
