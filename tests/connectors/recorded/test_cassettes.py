"""The cassettes themselves: no credential in any file, each says where its answers come from,
and the vcr configuration really scrubs what a recording would otherwise write."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
import yaml  # type: ignore[import-untyped]
from vcr.serialize import deserialize
from vcr.serializers import yamlserializer

from tests.connectors.recorded.conftest import (
    AUTH_HEADERS,
    CASSETTES,
    SHOPIFY_TOKEN,
    WOO_KEY,
    WOO_SECRET,
    make_vcr,
)

CASSETTE_FILES = sorted(CASSETTES.glob("*.yaml"))

# What a leaked credential looks like, whatever the platform or the way it was sent.
CREDENTIAL_PATTERNS = {
    "WooCommerce consumer key": re.compile(r"ck_[0-9a-f]{20,}", re.IGNORECASE),
    "WooCommerce consumer secret": re.compile(r"cs_[0-9a-f]{20,}", re.IGNORECASE),
    "Shopify access token": re.compile(r"shp(?:at|ca|ss|pa|ua)_[0-9a-z]{8,}", re.IGNORECASE),
    "HTTP Basic credentials": re.compile(r"basic\s+[a-z0-9+/=]{8,}", re.IGNORECASE),
    "HTTP Bearer token": re.compile(r"bearer\s+[a-z0-9._~+/=-]{8,}", re.IGNORECASE),
    "consumer_secret with a value": re.compile(
        r"consumer_secret(?:=|%3d)[^&\s'\"]+", re.IGNORECASE
    ),
    "consumer_key with a value": re.compile(r"consumer_key(?:=|%3d)[^&\s'\"]+", re.IGNORECASE),
    "OAuth 1.0a signature": re.compile(r"oauth_signature(?:=|%3d)[^&\s'\"]+", re.IGNORECASE),
}


def find_credentials(text: str) -> list[str]:
    """Every credential-looking thing in `text`, named."""
    return [
        f"{what}: {match.group(0)[:14]}…"
        for what, pattern in CREDENTIAL_PATTERNS.items()
        for match in pattern.finditer(text)
    ]


def credential_headers(text: str) -> list[str]:
    """Request headers that carry credentials, present in a cassette at all (even empty)."""
    data = yaml.safe_load(text)
    found = []
    for interaction in data["interactions"]:
        for name in interaction["request"]["headers"]:
            if name.lower() in AUTH_HEADERS:
                found.append(f"{interaction['request']['uri']}: {name}")
    return found


def test_there_are_cassettes_for_both_platforms() -> None:
    names = {path.stem.split("_")[0] for path in CASSETTE_FILES}
    assert {"woocommerce", "shopify"} <= names


@pytest.mark.parametrize("path", CASSETTE_FILES, ids=lambda p: p.name)
def test_cassette_holds_no_credentials(path: Path) -> None:
    text = path.read_text()
    assert find_credentials(text) == []
    assert credential_headers(text) == []


@pytest.mark.parametrize("path", CASSETTE_FILES, ids=lambda p: p.name)
def test_cassette_is_vcr_yaml_and_names_its_source(path: Path) -> None:
    text = path.read_text()
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert header, f"{path.name} must say at its top where its answers come from"
    assert text.startswith("#")
    requests, responses, *_ = deserialize(text, yamlserializer)
    assert requests, f"{path.name} holds no interaction"
    assert len(requests) == len(responses)
    data = yaml.safe_load(text)
    assert data["version"] == 1
    for interaction in data["interactions"]:
        assert set(interaction) == {"request", "response"}
        assert interaction["response"]["status"]["code"] >= 200
        assert "content-type" in interaction["response"]["headers"]


@pytest.mark.parametrize(
    "leak",
    [
        f"uri: https://example.com/wp-json/wc/v3/products?consumer_key={WOO_KEY}",
        f"uri: https://example.com/wp-json/wc/v3/products?consumer_secret={WOO_SECRET}",
        "uri: https://example.com/wp-json/wc/v3/products?consumer_secret=abc&page=2",
        f"x-shopify-access-token:\n      - {SHOPIFY_TOKEN}",
        "authorization:\n      - Basic Y2tfMTIzOmNzXzQ1Ng==",
        "uri: http://example.com/wp-json/wc/v3/products?oauth_signature=tR3%2BTy81lMeYAr",
        "shpca_0123456789abcdef",
    ],
)
def test_the_scan_catches_each_kind_of_leak(leak: str) -> None:
    assert find_credentials(leak), leak


async def test_recording_scrubs_every_way_credentials_are_sent(tmp_path: Path) -> None:
    """Record through the same vcr config with credentials in headers and in the query string
    (key pair, OAuth 1.0a parameters, Shopify token): the file written holds none of them."""

    def store(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[], headers={"X-WP-Total": "0"})

    recorder = make_vcr()
    cassette = tmp_path / "scrubbed.yaml"
    with recorder.use_cassette(str(cassette), record_mode="all", allow_playback_repeats=False):
        async with httpx.AsyncClient(transport=httpx.MockTransport(store)) as client:
            base = "https://example.com/wp-json/wc/v3/products"
            await client.get(base, params={"per_page": 1}, auth=(WOO_KEY, WOO_SECRET))
            await client.get(
                base,
                params={"per_page": 1, "consumer_key": WOO_KEY, "consumer_secret": WOO_SECRET},
            )
            await client.get(
                "http://example.com/wp-json/wc/v3/products",
                params={
                    "per_page": 1,
                    "oauth_consumer_key": WOO_KEY,
                    "oauth_nonce": "kllo9940pd9333jh",
                    "oauth_signature": "tR3+Ty81lMeYAr/Fid0kMTYa/WM=",
                    "oauth_signature_method": "HMAC-SHA256",
                    "oauth_timestamp": "1191242096",
                },
            )
            await client.get(
                "https://jsmith.myshopify.com/admin/api/2025-07/shop.json",
                headers={
                    "X-Shopify-Access-Token": SHOPIFY_TOKEN,
                    "Cookie": "_secure_admin_session_id=x",
                },
            )

    text = cassette.read_text()
    assert find_credentials(text) == []
    assert credential_headers(text) == []
    assert "oauth_" not in text
    # what is not a credential stays, so the requests still match on replay
    assert text.count("per_page=1") == 3
