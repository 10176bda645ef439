"""The one retry policy: transient errors retried with backoff, Retry-After honoured, bounded."""

from __future__ import annotations

import pytest

from g4hub_connectors import (
    AuthenticationError,
    PlatformUnavailableError,
    RateLimitedError,
    RetryPolicy,
)

FAST = RetryPolicy(max_attempts=4, initial_delay=0.001, max_delay=0.01, max_total_wait=1)


class Flaky:
    def __init__(self, errors: list[Exception]) -> None:
        self.errors = errors
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


async def test_transient_errors_are_retried_until_success() -> None:
    flaky = Flaky([PlatformUnavailableError("503"), PlatformUnavailableError("502")])
    assert await FAST.call(flaky, idempotent=True) == "ok"
    assert flaky.calls == 3


async def test_attempts_are_bounded() -> None:
    flaky = Flaky([PlatformUnavailableError(str(i)) for i in range(10)])
    with pytest.raises(PlatformUnavailableError, match="3"):
        await FAST.call(flaky, idempotent=True)
    assert flaky.calls == 4


async def test_non_idempotent_requests_are_not_retried() -> None:
    flaky = Flaky([PlatformUnavailableError("503")])
    with pytest.raises(PlatformUnavailableError):
        await FAST.call(flaky, idempotent=False)
    assert flaky.calls == 1


async def test_configuration_errors_are_not_retried() -> None:
    flaky = Flaky([AuthenticationError("401")])
    with pytest.raises(AuthenticationError):
        await FAST.call(flaky, idempotent=True)
    assert flaky.calls == 1


def test_retry_after_replaces_the_backoff() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=30)
    assert policy.delay(1, RateLimitedError("429", retry_after=2.0)) == 2.0
    assert policy.delay(1, RateLimitedError("429", retry_after=999)) == 30  # capped


def test_backoff_grows_exponentially_with_jitter() -> None:
    policy = RetryPolicy(initial_delay=1, max_delay=100)
    for attempt, ceiling in [(1, 1), (2, 2), (3, 4), (4, 8)]:
        delays = {policy.delay(attempt, PlatformUnavailableError("x")) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered


async def test_total_wait_is_bounded() -> None:
    # Retry-After of 0.2 s, but only 0.3 s of waiting allowed in all: one retry, then give up.
    policy = RetryPolicy(max_attempts=10, max_total_wait=0.3)
    flaky = Flaky([RateLimitedError("429", retry_after=0.2) for _ in range(10)])
    with pytest.raises(RateLimitedError):
        await policy.call(flaky, idempotent=True)
    assert flaky.calls == 2
