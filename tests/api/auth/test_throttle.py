"""Sign-in throttling: per client address and per (address, account) a refusal, per account
alone only a delay, so nobody can lock someone else out. The clock is injected and the delay is
read, not slept: nothing here waits."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from g4hub_core import AccessDenied
from hub_api.auth.throttle import LoginThrottle, LoginThrottled
from tests.api.auth.conftest import FakeClock, PeerAddress
from tests.api.conftest import PASSWORD, register


def _fail(throttle: LoginThrottle, *, address: str = "192.0.2.1", email: str = "a@x.com") -> None:
    with (
        pytest.raises(AccessDenied),
        throttle.attempt(address=address, email=email, failures=AccessDenied),
    ):
        raise AccessDenied("Wrong email or password.", code="invalid_login")


def _succeed(
    throttle: LoginThrottle, *, address: str = "192.0.2.1", email: str = "a@x.com"
) -> None:
    with throttle.attempt(address=address, email=email, failures=AccessDenied):
        pass


def test_an_address_is_throttled_for_an_account_after_the_limit(clock: FakeClock) -> None:
    throttle = LoginThrottle(3, per_address=100, clock=clock)
    for _ in range(3):
        _fail(throttle)
        clock.advance(10)

    with pytest.raises(LoginThrottled) as throttled:
        _succeed(throttle)  # this address has had its guesses, right password or not

    # The first failure (at 0 s) leaves the window at 60 s; it is now 30 s.
    assert throttled.value.retry_after == 30
    _succeed(throttle, email="b@x.com")  # another account from the same address is not affected


def test_the_account_is_never_refused_from_another_address(clock: FakeClock) -> None:
    """Ten wrong passwords from anywhere must not refuse the owner's right one."""
    throttle = LoginThrottle(3, per_address=100, clock=clock)
    for n in range(30):
        _fail(throttle, address=f"192.0.2.{n}")

    _succeed(throttle, address="198.51.100.9")


def test_failures_of_an_account_from_anywhere_delay_it_up_to_the_maximum(
    clock: FakeClock,
) -> None:
    throttle = LoginThrottle(3, per_address=100, delay_base=0.25, delay_max=2.0, clock=clock)
    delays = []
    for n in range(8):
        delays.append(throttle.delay("a@x.com"))
        _fail(throttle, address=f"192.0.2.{n}")

    assert delays == [0, 0, 0, 0.25, 0.5, 1.0, 2.0, 2.0]
    assert throttle.delay("b@x.com") == 0

    _succeed(throttle, address="198.51.100.9")  # the owner is back: no more delay
    assert throttle.delay("a@x.com") == 0


def test_the_delay_ends_with_the_window(clock: FakeClock) -> None:
    throttle = LoginThrottle(1, per_address=100, clock=clock)
    _fail(throttle, address="192.0.2.1")
    _fail(throttle, address="192.0.2.2")
    assert throttle.delay("a@x.com") > 0

    clock.advance(60)
    assert throttle.delay("a@x.com") == 0


def test_an_address_is_throttled_across_accounts(clock: FakeClock) -> None:
    throttle = LoginThrottle(100, per_address=3, clock=clock)
    for n in range(3):
        _fail(throttle, email=f"user{n}@x.com")

    with pytest.raises(LoginThrottled):
        _succeed(throttle, email="fresh@x.com")
    _succeed(throttle, address="198.51.100.9", email="fresh@x.com")


def test_the_window_slides(clock: FakeClock) -> None:
    throttle = LoginThrottle(2, clock=clock)
    _fail(throttle)
    clock.advance(40)
    _fail(throttle)
    clock.advance(19)
    with pytest.raises(LoginThrottled) as throttled:
        _fail(throttle)
    assert throttled.value.retry_after == 1

    clock.advance(1)  # the first failure has left the window; the second has not
    _fail(throttle)
    with pytest.raises(LoginThrottled):
        _fail(throttle)


def test_emails_are_compared_in_their_normal_form(clock: FakeClock) -> None:
    throttle = LoginThrottle(2, per_address=100, clock=clock)
    _fail(throttle, email="Alice@Example.com")
    _fail(throttle, email=" alice@example.COM ")

    with pytest.raises(LoginThrottled):
        _succeed(throttle, email="alice@example.com")


def test_a_success_resets_the_account_but_not_the_address(clock: FakeClock) -> None:
    throttle = LoginThrottle(3, per_address=3, clock=clock)
    _fail(throttle)
    _fail(throttle)
    _succeed(throttle)
    _fail(throttle, email="other@x.com")  # the address's third failure

    with pytest.raises(LoginThrottled):
        _succeed(throttle, email="third@x.com")


def test_an_attempt_that_neither_fails_nor_succeeds_is_taken_back(clock: FakeClock) -> None:
    throttle = LoginThrottle(1, clock=clock)
    with (
        pytest.raises(RuntimeError),
        throttle.attempt(address="192.0.2.1", email="a@x.com", failures=AccessDenied),
    ):
        raise RuntimeError("the database went away")

    _fail(throttle)  # the broken attempt did not use up the only slot


def test_parallel_attempts_cannot_overrun_the_limit(clock: FakeClock) -> None:
    """Slots are taken before the password is checked, so attempts still in flight count."""
    throttle = LoginThrottle(2, clock=clock)
    kwargs: dict[str, Any] = {"address": "192.0.2.1", "email": "a@x.com", "failures": AccessDenied}
    first, second = throttle.attempt(**kwargs), throttle.attempt(**kwargs)
    with first, second, pytest.raises(LoginThrottled), throttle.attempt(**kwargs):
        pass  # never reached: two attempts are still being checked


def test_memory_is_bounded(clock: FakeClock) -> None:
    throttle = LoginThrottle(5, clock=clock, max_keys=10)
    for n in range(50):
        _fail(throttle, address=f"10.0.0.{n}", email=f"user{n}@x.com")
    for windows in (throttle._address, throttle._pair, throttle._account):
        assert len(windows._hits) <= 10


# Over HTTP: the app's throttle replaced by one on the fake clock, requests from chosen peers.


def _throttle(client: AsyncTestClient[Any], throttle: LoginThrottle) -> None:
    client.app.state.login_throttle = throttle


async def _login(client: AsyncTestClient[Any], email: str, password: str) -> Any:
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def test_ten_wrong_passwords_do_not_refuse_the_owner(
    client: AsyncTestClient[Any], peer: PeerAddress
) -> None:
    """With the app's own settings: an attacker's failures from one address lock that address
    out of the account, never the owner signing in from theirs."""
    await register(client, email="owner@example.com")
    client.app.state.login_throttle.delay_max = 0  # the delay is tested above, without sleeping
    limit = client.app.state.api_settings.login_attempts_per_minute
    peer.address = "203.0.113.66"
    for _ in range(limit):
        assert (await _login(client, "owner@example.com", "wrong-password")).status_code == 401
    assert (await _login(client, "owner@example.com", PASSWORD)).status_code == 429

    peer.address = "198.51.100.7"
    assert (await _login(client, "owner@example.com", PASSWORD)).status_code == 200


async def test_failed_logins_get_429_with_retry_after(
    client: AsyncTestClient[Any], clock: FakeClock
) -> None:
    await register(client, email="owner@example.com")
    _throttle(client, LoginThrottle(3, clock=clock, delay_max=0))
    for _ in range(3):
        assert (await _login(client, "owner@example.com", "wrong-password")).status_code == 401
        clock.advance(5)

    throttled = await _login(client, "owner@example.com", PASSWORD)

    assert throttled.status_code == 429
    assert throttled.headers["retry-after"] == "45"
    error = throttled.json()["error"]
    assert error["code"] == "too_many_attempts"
    assert error["message"] == "Too many failed sign-in attempts. Try again in 45 seconds."
    assert error["details"] == {"retry_after": 45}
    assert "set-cookie" not in throttled.headers

    clock.advance(45)
    assert (await _login(client, "owner@example.com", PASSWORD)).status_code == 200


async def test_the_account_delay_is_waited_before_the_password_is_checked(
    client: AsyncTestClient[Any], clock: FakeClock, peer: PeerAddress
) -> None:
    await register(client, email="owner@example.com")
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    _throttle(client, LoginThrottle(1, per_address=100, clock=clock, sleep=sleep))
    for n in range(3):
        peer.address = f"203.0.113.{n}"
        assert (await _login(client, "owner@example.com", "wrong-password")).status_code == 401

    peer.address = "198.51.100.7"
    assert (await _login(client, "owner@example.com", PASSWORD)).status_code == 200
    assert slept == [0.25, 0.5, 1.0]  # before the 2nd, 3rd and the right one


async def test_failed_logins_from_an_address_get_429_for_any_email(
    client: AsyncTestClient[Any], clock: FakeClock
) -> None:
    await register(client, email="owner@example.com")
    _throttle(client, LoginThrottle(100, per_address=3, clock=clock))
    for n in range(3):
        assert (await _login(client, f"guess{n}@example.com", PASSWORD)).status_code == 401

    response = await _login(client, "owner@example.com", PASSWORD)

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_attempts"
    assert int(response.headers["retry-after"]) == 60


async def test_a_successful_login_resets_the_accounts_count(
    client: AsyncTestClient[Any], clock: FakeClock
) -> None:
    await register(client, email="owner@example.com")
    _throttle(client, LoginThrottle(3, per_address=100, clock=clock))
    for _ in range(2):
        assert (await _login(client, "owner@example.com", "wrong-password")).status_code == 401
    assert (await _login(client, "owner@example.com", PASSWORD)).status_code == 200

    for _ in range(2):  # without the reset, the second of these would be the fourth failure
        assert (await _login(client, "owner@example.com", "wrong-password")).status_code == 401
    assert (await _login(client, "owner@example.com", PASSWORD)).status_code == 200
