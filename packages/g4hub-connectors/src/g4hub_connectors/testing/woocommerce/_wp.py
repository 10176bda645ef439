"""WordPress-level behaviour of the fake WooCommerce store: JSON as WordPress encodes it, WP_Error
bodies, REST parameter validation and `_fields`, the REST index and the system status report."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from g4hub_connectors.testing._asgi import Response

__all__ = [
    "COLLECTION_ENUMS",
    "currency_body",
    "filter_fields",
    "index_body",
    "system_status_body",
    "validate_collection",
    "wp_body",
    "wp_encode",
    "wp_error",
    "wp_json",
]

_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}(?::\d{2})?)?$"
)
_BOOLEANS = {"true", "false", "1", "0", ""}
COLLECTION_ENUMS: dict[str, tuple[str, ...]] = {
    "order": ("asc", "desc"),
    "orderby": (
        "date", "modified", "id", "include", "title", "slug", "price", "popularity", "rating",
        "menu_order",
    ),
    "status": ("any", "future", "trash", "draft", "pending", "private", "publish"),
}  # fmt: skip
_CURRENCY_SYMBOLS = {"EUR": "&euro;", "USD": "&#36;", "GBP": "&pound;", "JPY": "&yen;"}
_CURRENCY_NAMES = {
    "EUR": "Euro",
    "USD": "United States (US) dollar",
    "GBP": "Pound sterling",
    "JPY": "Japanese yen",
}
_WP_HEADERS = [
    ("x-robots-tag", "noindex"),
    ("x-content-type-options", "nosniff"),
    ("access-control-expose-headers", "X-WP-Total, X-WP-TotalPages, Link"),
]


def wp_encode(data: Any) -> bytes:
    """JSON as WordPress's `wp_json_encode` writes it: "/" and non-ASCII escaped."""
    return json.dumps(data, separators=(",", ":")).replace("/", "\\/").encode("ascii")


def wp_body(body: bytes, status: int = 200, headers: Sequence[tuple[str, str]] = ()) -> Response:
    """A REST response around an already encoded body."""
    return Response(
        status, body, [("content-type", "application/json; charset=UTF-8"), *_WP_HEADERS, *headers]
    )


def wp_json(data: Any, status: int = 200, headers: Sequence[tuple[str, str]] = ()) -> Response:
    return wp_body(wp_encode(data), status, headers)


def wp_error(
    code: str, message: str, status: int, *, params: Mapping[str, str] | None = None
) -> Response:
    data: dict[str, Any] = {"status": status}
    if params is not None:
        data["params"] = dict(params)
        data["details"] = {
            name: {"code": "rest_invalid_param", "message": problem, "data": None}
            for name, problem in params.items()
        }
    return wp_json({"code": code, "message": message, "data": data}, status)


def invalid_params(problems: Mapping[str, str]) -> Response:
    return wp_error(
        "rest_invalid_param",
        f"Invalid parameter(s): {', '.join(problems)}",
        400,
        params=problems,
    )


def currency_symbol(currency: str) -> str:
    return _CURRENCY_SYMBOLS.get(currency, currency)


def currency_body(currency: str, rest_root: str) -> dict[str, Any]:
    """`GET /wc/v3/data/currencies/current`: the store currency's code, name and symbol."""
    base = f"{rest_root}/wc/v3/data/currencies"
    return {
        "code": currency,
        "name": _CURRENCY_NAMES.get(currency, currency),
        "symbol": currency_symbol(currency),
        "_links": {"self": [{"href": f"{base}/{currency}"}], "collection": [{"href": base}]},
    }


def _one_of(values: Sequence[str]) -> str:
    return ", ".join(values[:-1]) + f", and {values[-1]}"


def _integer(name: str, value: str, low: int, high: int | None) -> tuple[int | None, str | None]:
    try:
        number = int(value)
    except ValueError:
        return None, f"{name} is not of type integer."
    if high is not None and not low <= number <= high:
        return None, f"{name} must be between {low} (inclusive) and {high} (inclusive)"
    if number < low:
        return None, f"{name} must be greater than or equal to {low}"
    return number, None


def validate_collection(get: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The collection arguments WooCommerce registers, with their defaults, and the problems
    `rest_invalid_param` would list. Unknown parameters are ignored, as WordPress does."""
    args: dict[str, Any] = {
        "page": 1, "per_page": 10, "order": "desc", "orderby": "date", "status": "any",
        "modified_after": None, "modified_before": None, "dates_are_gmt": False,
    }  # fmt: skip
    problems: dict[str, str] = {}
    for name in ("page", "per_page"):
        if isinstance(get.get(name), str):
            high = 100 if name == "per_page" else None
            args[name], problem = _integer(name, get[name], 1, high)
            if problem:
                problems[name] = problem
    for name, allowed in COLLECTION_ENUMS.items():
        value = get.get(name)
        if isinstance(value, str):
            if value not in allowed:
                problems[name] = f"{name} is not one of {_one_of(allowed)}."
            args[name] = value
    for name in ("modified_after", "modified_before"):
        value = get.get(name)
        if isinstance(value, str):
            if not _DATE_TIME.match(value):
                problems[name] = "Invalid date."
            args[name] = value
    gmt = get.get("dates_are_gmt")
    if isinstance(gmt, str):
        if gmt.lower() not in _BOOLEANS:
            problems["dates_are_gmt"] = "dates_are_gmt is not of type boolean."
        args["dates_are_gmt"] = gmt.lower() in ("true", "1")
    return args, problems


def filter_fields(data: Any, fields: str | None) -> Any:
    """WordPress's `_fields`: keep only the named keys (dotted names reach into objects)."""
    if not fields or not isinstance(data, dict):
        return data
    wanted = [f.strip() for f in fields.split(",") if f.strip()]
    result: dict[str, Any] = {}
    for name in wanted:
        head, _, rest = name.partition(".")
        if head not in data:
            continue
        if rest and isinstance(data[head], dict):
            nested = filter_fields(data[head], rest)
            existing = result.get(head)
            result[head] = {**existing, **nested} if isinstance(existing, dict) else nested
        else:
            result[head] = data[head]
    return result


def index_body(*, name: str, home: str, namespaces: list[str], gmt_offset: float) -> dict[str, Any]:
    """`GET /wp-json/`: the site and its REST namespaces (real sites list hundreds of routes)."""
    routes = {
        f"/{ns}": {"namespace": ns, "methods": ["GET"], "endpoints": [{"methods": ["GET"]}]}
        for ns in namespaces
    }
    return {
        "name": name,
        "description": "Just another WordPress site",
        "url": home,
        "home": home,
        "gmt_offset": gmt_offset,
        "timezone_string": "",
        "page_for_posts": 0,
        "page_on_front": 0,
        "show_on_front": "posts",
        "namespaces": namespaces,
        "authentication": {
            "application-passwords": {
                "endpoints": {"authorization": f"{home}/wp-admin/authorize-application.php"}
            }
        },
        "site_logo": 0,
        "site_icon": 0,
        "site_icon_url": "",
        "routes": routes,
        "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]},
    }


def system_status_body(
    *,
    home: str,
    wc_version: str,
    wp_version: str,
    currency: str,
    https: bool,
    product_count: int,
) -> dict[str, Any]:
    """`GET /wc/v3/system_status`: the parts a connector reads, and enough of the rest to be
    the size and shape of a real report."""
    plugin = {
        "plugin": "woocommerce/woocommerce.php",
        "name": "WooCommerce",
        "version": wc_version,
        "version_latest": wc_version,
        "url": "https://woocommerce.com/",
        "author_name": "Automattic",
        "author_url": "https://woocommerce.com",
        "network_activated": False,
    }
    return {
        "environment": {
            "home_url": home,
            "site_url": home,
            "store_id": "5f0c9d1e-7a55-4b7e-9c55-0a2f5b6f2a11",
            "version": wc_version,
            "log_directory": "/var/www/html/wp-content/uploads/wc-logs/",
            "log_directory_writable": True,
            "wp_version": wp_version,
            "wp_multisite": False,
            "wp_memory_limit": 268435456,
            "wp_debug_mode": False,
            "wp_cron": True,
            "language": "en_US",
            "external_object_cache": None,
            "server_info": "nginx/1.25.3",
            "php_version": "8.2.18",
            "php_post_max_size": 67108864,
            "php_max_execution_time": 30,
            "php_max_input_vars": 1000,
            "curl_version": "8.5.0, OpenSSL/3.0.13",
            "suhosin_installed": False,
            "max_upload_size": 67108864,
            "mysql_version": "8.0.36",
            "mysql_version_string": "8.0.36",
            "default_timezone": "UTC",
            "fsockopen_or_curl_enabled": True,
            "soapclient_enabled": True,
            "domdocument_enabled": True,
            "gzip_enabled": True,
            "mbstring_enabled": True,
            "remote_post_successful": True,
            "remote_post_response": 200,
            "remote_get_successful": True,
            "remote_get_response": 200,
        },
        "database": {"wc_database_version": wc_version, "database_prefix": "wp_"},
        "active_plugins": [plugin],
        "inactive_plugins": [],
        "dropins_mu_plugins": {"dropins": [], "mu_plugins": []},
        "theme": {"name": "Storefront", "version": "4.6.0", "is_child_theme": False},
        "settings": {
            "api_enabled": True,
            "force_ssl": False,
            "currency": currency,
            "currency_symbol": currency_symbol(currency),
            "currency_position": "left",
            "thousand_separator": ",",
            "decimal_separator": ".",
            "number_of_decimals": 0 if currency == "JPY" else 2,
            "geolocation_enabled": False,
            "taxonomies": {
                "external": "external",
                "grouped": "grouped",
                "simple": "simple",
                "variable": "variable",
            },
            "woocommerce_com_connected": "no",
            "HPOS_enabled": True,
        },
        "security": {"secure_connection": https, "hide_errors": True},
        "pages": [],
        "post_type_counts": [{"type": "product", "count": str(product_count)}],
        "logging": {"logging_enabled": True, "default_handler": "LogHandlerFileV2"},
    }
