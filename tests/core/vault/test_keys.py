"""Credential keys from settings, or generated once into the data directory."""

from __future__ import annotations

import base64
import secrets
import stat
from pathlib import Path

import pytest

from g4hub_core import HubSettings, InvalidInput
from g4hub_core.vault import SecretKey, generate_key, load_keys, parse_keys


def b64(material: bytes) -> str:
    return base64.b64encode(material).decode()


def test_parses_ids_and_bare_keys_first_one_sealing() -> None:
    first, second = secrets.token_bytes(32), secrets.token_bytes(32)
    keys = parse_keys(f" new:{b64(first)} , {b64(second)},")
    assert [key.material for key in keys] == [first, second]
    assert keys[0].key_id == "new"
    assert keys[1].key_id.startswith("k")
    assert parse_keys(b64(second))[0].key_id == keys[1].key_id, "a bare key's id is stable"


def test_encoded_keys_parse_back() -> None:
    key = generate_key("k-1_a")
    assert parse_keys(key.encoded()) == [key]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("k1:a", "not valid base64"),
        (f"k1:{b64(secrets.token_bytes(16))}", "32 bytes"),
        (f"k1:{b64(secrets.token_bytes(32))},k2:{b64(secrets.token_bytes(31))}", "#2"),
        (f"bad id!:{b64(secrets.token_bytes(32))}", "key id"),
        (f"k1:{b64(secrets.token_bytes(32))},k1:{b64(secrets.token_bytes(32))}", "same id"),
    ],
    # Fixed ids: xdist's workers must collect the same test names (the keys are random).
    ids=["base64", "32-bytes", "second-key", "key-id", "same-id"],
)
def test_bad_keys_are_refused_without_echoing_them(text: str, problem: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_keys(text)
    assert problem in caught.value.message
    for part in text.replace(":", ",").split(","):
        if len(part) > 3:
            assert part not in f"{caught.value.message} {caught.value!r}"


def test_secret_key_repr_hides_material() -> None:
    key = generate_key("k1")
    assert repr(key) == "SecretKey(key_id='k1', …)"
    with pytest.raises(InvalidInput):
        SecretKey("k1", b"short")


def settings_without_keys(data_dir: Path) -> HubSettings:
    return HubSettings(
        database_url=f"sqlite:///{data_dir / 'g4hub.db'}", data_dir=data_dir, secret_keys=None
    )


def test_first_start_generates_a_private_key_file_and_later_starts_reuse_it(
    tmp_path: Path,
) -> None:
    settings = settings_without_keys(tmp_path / "data")
    assert not settings.key_file.exists()
    [generated] = load_keys(settings)
    assert settings.key_file.exists()
    assert stat.S_IMODE(settings.key_file.stat().st_mode) == 0o600
    assert load_keys(settings_without_keys(tmp_path / "data")) == [generated]


def test_keys_from_settings_take_precedence_and_write_no_file(tmp_path: Path) -> None:
    key = generate_key("configured")
    settings = HubSettings(
        database_url=f"sqlite:///{tmp_path / 'g4hub.db'}",
        data_dir=tmp_path,
        secret_keys=key.encoded(),
    )
    assert load_keys(settings) == [key]
    assert not settings.key_file.exists()
