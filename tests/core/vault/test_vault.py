"""Sealing and opening with AES-256-GCM, bound to a store."""

from __future__ import annotations

import uuid

import pytest

from g4hub_core import VaultError
from g4hub_core.vault import Sealed, Vault, generate_key
from g4hub_core.vault.vault import store_context

SECRET = b'{"consumer_secret":"cs_very_secret_value"}'
TENANT, STORE = uuid.uuid4(), uuid.uuid4()
CONTEXT = store_context(TENANT, STORE)


def test_seal_and_open_round_trip_under_the_first_key() -> None:
    old, new = generate_key("old"), generate_key("new")
    vault = Vault([new, old])
    sealed = vault.seal(SECRET, context=CONTEXT)
    assert sealed.token.startswith("new:")
    assert sealed.key_id == "new"
    assert b"very_secret" not in sealed.token.encode()
    assert vault.open(sealed, context=CONTEXT) == SECRET
    assert vault.is_current(sealed)
    assert vault.seal(SECRET, context=CONTEXT) != sealed, "every seal has its own nonce"

    under_old = Vault([old]).seal(SECRET, context=CONTEXT)
    assert not vault.is_current(under_old)
    assert vault.open(under_old, context=CONTEXT) == SECRET


@pytest.mark.parametrize(
    "context",
    [
        store_context(TENANT, uuid.uuid4()),
        store_context(uuid.uuid4(), STORE),
        b"",
    ],
    ids=["other store", "other tenant", "no context"],
)
def test_a_ciphertext_moved_to_another_store_or_tenant_does_not_open(context: bytes) -> None:
    vault = Vault([generate_key("k1")])
    sealed = vault.seal(SECRET, context=CONTEXT)
    with pytest.raises(VaultError) as caught:
        vault.open(sealed, context=context)
    assert caught.value.code == "vault_tampered"


@pytest.mark.parametrize("mangle", ["flip", "truncate", "garbage"])
def test_an_altered_ciphertext_does_not_open(mangle: str) -> None:
    vault = Vault([generate_key("k1")])
    token = vault.seal(SECRET, context=CONTEXT).token
    key_id, _, payload = token.partition(":")
    altered = {
        "flip": payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1],
        "truncate": payload[:10],
        "garbage": "!!*not base64*!!",
    }[mangle]
    with pytest.raises(VaultError) as caught:
        vault.open(Sealed(f"{key_id}:{altered}"), context=CONTEXT)
    assert caught.value.code == "vault_tampered"


def test_an_unknown_key_id_names_the_key_but_no_material() -> None:
    missing = generate_key("retired")
    sealed = Vault([missing]).seal(SECRET, context=CONTEXT)
    with pytest.raises(VaultError) as caught:
        Vault([generate_key("current")]).open(sealed, context=CONTEXT)
    error = caught.value
    assert error.code == "vault_key_missing"
    assert "'retired'" in error.message
    material = missing.encoded().partition(":")[2]
    payload = sealed.token.partition(":")[2]
    for shown in (error.message, repr(error), str(error.details)):
        assert material not in shown
        assert payload not in shown


def test_reprs_show_no_material() -> None:
    key = generate_key("k1")
    vault = Vault([key])
    sealed = vault.seal(SECRET, context=CONTEXT)
    material = key.encoded().partition(":")[2]
    payload = sealed.token.partition(":")[2]
    for shown in (repr(sealed), str(sealed), repr(key), str(key), repr(vault)):
        assert material not in shown
        assert payload not in shown
        assert "k1" in shown
    assert repr(vault) == "Vault(primary='k1', keys=1)"
