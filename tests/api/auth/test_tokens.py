"""Access tokens: issued, read back, and refused when expired, tampered or malformed."""

from __future__ import annotations

import base64
import json
import stat
import uuid
from pathlib import Path

import jwt
import pytest

from hub_api.auth.tokens import TokenCodec, TokenRejected, load_jwt_secret

SECRET = "s" * 48


def _issue(codec: TokenCodec) -> tuple[str, uuid.UUID, uuid.UUID]:
    user_id, tenant_id = uuid.uuid4(), uuid.uuid4()
    return (
        codec.issue(user_id=user_id, tenant_id=tenant_id, email="a@example.com"),
        user_id,
        tenant_id,
    )


def test_a_token_names_its_user_and_tenant() -> None:
    codec = TokenCodec(SECRET, 3600)
    token, user_id, tenant_id = _issue(codec)

    principal = codec.decode(token, via_cookie=True)

    assert (principal.user_id, principal.tenant_id, principal.email) == (
        user_id,
        tenant_id,
        "a@example.com",
    )
    assert principal.via_cookie
    assert SECRET not in repr(codec)


def test_an_expired_token_is_rejected_as_expired() -> None:
    token, _, _ = _issue(TokenCodec(SECRET, -60))

    with pytest.raises(TokenRejected) as rejected:
        TokenCodec(SECRET, 3600).decode(token)

    assert rejected.value.reason == "expired"
    assert TokenCodec(SECRET, 3600).read(token) is None


def _with_claims(token: str, **changes: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda t: _with_claims(t, tid=str(uuid.uuid4())), id="claims changed"),
        pytest.param(lambda t: t[:-4] + ("AAAA" if t[-4:] != "AAAA" else "BBBB"), id="signature"),
        pytest.param(
            lambda t: jwt.encode({"sub": "x"}, "another-secret-" + "y" * 32, algorithm="HS256"),
            id="another key",
        ),
        pytest.param(lambda t: t.split(".")[0] + "." + t.split(".")[1] + ".", id="unsigned"),
        pytest.param(lambda t: "not-a-jwt", id="garbage"),
    ],
)
def test_a_tampered_token_is_rejected_as_invalid(forge: object) -> None:
    codec = TokenCodec(SECRET, 3600)
    token, _, _ = _issue(codec)

    with pytest.raises(TokenRejected) as rejected:
        codec.decode(forge(token))  # type: ignore[operator]

    assert rejected.value.reason == "invalid"


def test_a_token_without_the_tenant_or_with_a_bad_id_is_invalid() -> None:
    codec = TokenCodec(SECRET, 3600)
    token, _, _ = _issue(codec)
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    for broken in (
        {**claims, "sub": "not-a-uuid"},
        {k: v for k, v in claims.items() if k != "tid"},
    ):
        forged = jwt.encode(broken, SECRET, algorithm="HS256")
        with pytest.raises(TokenRejected):
            codec.decode(forged)


def test_the_generated_secret_is_kept_private_and_reused(tmp_path: Path) -> None:
    first = load_jwt_secret(None, tmp_path / "data")
    second = load_jwt_secret(None, tmp_path / "data")

    assert first == second
    assert len(first) >= 32
    mode = stat.S_IMODE((tmp_path / "data" / "jwt.key").stat().st_mode)
    assert mode == 0o600
    assert load_jwt_secret("configured-" + "z" * 32, tmp_path / "data").startswith("configured-")
