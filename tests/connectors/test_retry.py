"""The one retry policy: transient errors retried with backoff, Retry-After honoured, bounded."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from g4hub_connectors import (
    AuthenticationError,
    PlatformUnavailableError,
    RateLimitedError,
    RetryPolicy,
    WooCommerceConfig,
)
from g4hub_connectors._http import ErrorBody, HTTPClient
from g4hub_connectors._retry import may_retry

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


@pytest.mark.parametrize(
    ("method", "declared", "retried"),
    [
        ("GET", None, True),
        ("get", None, True),
        ("HEAD", None, True),
        ("OPTIONS", None, True),
        ("GET", False, True),  # a read changes nothing, whatever the caller says
        ("PUT", None, False),  # a verb is no promise: only the caller knows the body is absolute
        ("PUT", True, True),
        ("PUT", False, False),
        ("DELETE", None, False),  # a replayed delete answers 404 for a delete that worked
        ("POST", None, False),
        ("POST", True, True),  # e.g. a token grant, or a POST with an idempotency key
        ("PATCH", None, False),
    ],
)
def test_one_rule_says_which_requests_may_be_sent_again(
    method: str, declared: bool | None, retried: bool
) -> None:
    assert may_retry(method, idempotent=declared) is retried


async def test_a_wait_past_the_deadline_is_not_begun() -> None:
    policy = RetryPolicy(max_attempts=5, initial_delay=0.001, max_delay=10)
    flaky = Flaky([RateLimitedError("429", retry_after=5.0) for _ in range(5)])
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(RateLimitedError):
        await policy.call(flaky, idempotent=True, give_up_at=started + 1.0)
    assert flaky.calls == 1
    assert loop.time() - started < 0.5


async def test_both_platforms_follow_the_rule() -> None:
    """A 503 on a write is retried only where the caller declared it idempotent."""

    class Client(HTTPClient):
        platform = "woocommerce"

        def parse_error(self, response: httpx.Response) -> ErrorBody:
            return ErrorBody()

    calls: list[str] = []

    def unavailable(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(503)

    config = WooCommerceConfig(
        store_url="https://shop.example",
        consumer_key="ck_0123456789abcdef0123456789abcdef01234567",
        consumer_secret="cs_0123456789abcdef0123456789abcdef01234567",
        retry=FAST,
    )
    client = Client(config, httpx.AsyncClient(transport=httpx.MockTransport(unavailable)))
    for method, declared in [("GET", None), ("PUT", None), ("PUT", True), ("POST", None)]:
        calls.clear()
        with pytest.raises(PlatformUnavailableError):
            await client.send(method, "https://shop.example/x", idempotent=declared)
        assert len(calls) == (4 if may_retry(method, idempotent=declared) else 1), method
