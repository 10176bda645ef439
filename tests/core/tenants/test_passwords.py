"""Password hashing and the strength rules."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from g4hub_core import InvalidInput
from g4hub_core.tenants.passwords import (
    check_password_strength,
    hash_password,
    needs_rehash,
    verify_dummy,
    verify_password,
)

PASSWORD = "correct horse battery staple"


def test_hash_is_argon2id_and_verifies() -> None:
    hashed = hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed
    assert hashed != hash_password(PASSWORD), "each hash has its own salt"
    assert verify_password(hashed, PASSWORD)
    assert not needs_rehash(hashed)


def test_verify_answers_false_for_a_wrong_password() -> None:
    assert not verify_password(hash_password(PASSWORD), "wrong password!")


@pytest.mark.parametrize("stored", ["", "not a hash", "$argon2id$v=19$m=1,t=1,p=1$broken"])
def test_verify_answers_false_for_an_unreadable_hash(stored: str) -> None:
    assert not verify_password(stored, PASSWORD)


def test_a_hash_made_with_other_parameters_needs_rehash() -> None:
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    assert verify_password(cheap, PASSWORD)
    assert needs_rehash(cheap)
    assert needs_rehash("not a hash")


def test_verify_dummy_accepts_any_password() -> None:
    verify_dummy(PASSWORD)
    verify_dummy("")


@pytest.mark.parametrize(
    ("password", "advice"),
    [
        ("short1!", "at least 10 characters"),
        ("x" * 1025, "at most 1024 characters"),
        ("aaaaaaaaaaaa", "not one character repeated"),
        ("my-alice.smith-pass", "email address"),
        ("Alice.Smith2024", "email address"),
        ("password123", "most common passwords"),
        ("QWERTYUIOP", "most common passwords"),
        ("1234567890", "most common passwords"),
    ],
)
def test_weak_passwords_are_refused_with_advice(password: str, advice: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_password_strength(password, email="alice.smith@example.com")
    error = caught.value
    assert error.code == "weak_password"
    assert advice in error.message
    assert advice in error.details["password"]
    for shown in (error.message, str(error), repr(error), str(error.details)):
        assert password not in shown


@pytest.mark.parametrize(
    "password",
    [
        PASSWORD,
        "xy" * 512,
        "bob's long password",  # a local part under 4 characters may appear by chance
        "ten chars!",
    ],
)
def test_reasonable_passwords_pass(password: str) -> None:
    check_password_strength(password, email="bob@example.com")
