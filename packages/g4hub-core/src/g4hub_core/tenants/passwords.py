"""Password hashing (argon2id, argon2-cffi's defaults) and the strength rules for new passwords."""

from __future__ import annotations

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from g4hub_core.errors import InvalidInput

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "check_password_strength",
    "hash_password",
    "needs_rehash",
    "verify_dummy",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
"""Bounds the work one sign-in attempt can ask of the hasher."""

# argon2-cffi's defaults follow RFC 9106's recommended profile; when a newer release raises them,
# `needs_rehash` notices and sign-in upgrades the stored hash.
_hasher = PasswordHasher()

# Only passwords of at least MIN_PASSWORD_LENGTH characters matter here: shorter ones already
# fail. Compared case-insensitively.
_COMMON_PASSWORDS = frozenset(
    {
        "0123456789",
        "1234567890",
        "12345678910",
        "123456789a",
        "1234567890a",
        "123123123123",
        "1122334455",
        "9876543210",
        "a123456789",
        "abc1234567",
        "abcd123456",
        "abcdefghij",
        "1q2w3e4r5t",
        "1q2w3e4r5t6y",
        "1qaz2wsx3edc",
        "qazwsxedcrfv",
        "qwertyuiop",
        "qwertyuiop123",
        "qwerty1234",
        "qwerty12345",
        "qwerty123456",
        "asdfghjkl1",
        "asdfghjkl123",
        "zxcvbnm123",
        "password12",
        "password123",
        "password1234",
        "password1!",
        "passw0rd123",
        "p@ssw0rd123",
        "iloveyou12",
        "iloveyou123",
        "letmein123",
        "welcome123",
        "welcome1234",
        "admin12345",
        "administrator",
        "changeme123",
        "sunshine123",
        "football123",
        "baseball123",
        "princess123",
        "monkey12345",
        "dragon1234",
        "trustno1234",
        "starwars123",
        "superman123",
        "michael123",
        "shadow12345",
        "master12345",
    }
)


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (salted; encodes its own parameters)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches `password_hash`. A mismatch or an unreadable hash is `False`,
    never an exception."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether `password_hash` was made with other parameters than the current ones."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def verify_dummy(password: str) -> None:
    """Spend the time of one verification, for a sign-in whose email is unknown: answering
    faster would tell which emails have accounts."""
    verify_password(_dummy_hash(), password)


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def check_password_strength(password: str, *, email: str) -> None:
    """Refuse a password that is easy to guess. Raises `InvalidInput(code="weak_password")`
    whose message says what to do; neither message nor details contain the password."""
    reason = _weakness(password, email=email)
    if reason is not None:
        raise InvalidInput(
            f"Choose a stronger password. {reason}",
            code="weak_password",
            details={"password": reason},
        )


def _weakness(password: str, *, email: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return (
            f"Use at least {MIN_PASSWORD_LENGTH} characters; "
            "a few unrelated words make a long password easy to remember."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    if len(set(password)) == 1:
        return "Use different characters, not one character repeated."
    lowered = password.casefold()
    local_part = email.rpartition("@")[0].casefold()
    # A short local part ("bob") appears inside plenty of good passwords by chance.
    if len(local_part) >= 4 and local_part in lowered:
        return "Don't use your email address in the password."
    if lowered in _COMMON_PASSWORDS:
        return "This is one of the most common passwords; choose one that is harder to guess."
    return None
