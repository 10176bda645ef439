"""TLS is verified by default; a store's own CA bundle makes a self-signed staging store work."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    openssl = shutil.which("openssl") or "openssl"
    subprocess.run(  # noqa: S603
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=staging.localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


async def test_a_self_signed_store_is_refused_by_default(self_signed: tuple[str, str]) -> None:
    store = FakeWooCommerceStore(products=5)
    cert, key = self_signed
    with store.serve(tls_certfile=cert, tls_keyfile=key) as url:
        assert url.startswith("https://")
        retry = {"max_attempts": 1}
        async with gc.create_connector(store.credentials(retry=retry)) as connector:
            result = await connector.test_connection()
    assert not result.success
    assert result.error_code == "platform_unavailable"
    assert result.error_message is not None
    assert "certificate could not be verified" in result.error_message


async def test_the_store_ca_bundle_makes_it_trusted(self_signed: tuple[str, str]) -> None:
    store = FakeWooCommerceStore(products=5)
    cert, key = self_signed
    with store.serve(tls_certfile=cert, tls_keyfile=key):
        async with gc.create_connector(store.credentials(ca_bundle=cert)) as connector:
            result = await connector.test_connection()
    assert result.success, result.error_message
    assert result.products_count == 5


def test_a_missing_ca_bundle_file_is_a_clear_error(tmp_path: Path) -> None:
    store = FakeWooCommerceStore(products=1)
    with pytest.raises(gc.InvalidConfigError, match="ca_bundle"):
        gc.create_connector(store.credentials(ca_bundle=str(tmp_path / "nope.pem")))
