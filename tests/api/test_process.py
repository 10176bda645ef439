"""`wait_for_database`: `g4hub worker` waits for a database that is not up yet, with backoff,
and gives up with one clear line (PostgreSQL reached through a proxy the test cuts)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from g4hub_core.db import create_engine
from hub_api.process import CliError, wait_for_database
from tests.api.tcp_proxy import CuttableProxy
from tests.core.conftest import postgres_url  # noqa: F401 (a fixture, used by name)


class FakeTime:
    """A clock that moves only when slept on; `on_sleep` runs at each sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []
        self.on_sleep = lambda: None

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        self.on_sleep()


@pytest.fixture
def proxy() -> Iterator[CuttableProxy]:
    proxy = CuttableProxy(5432)
    proxy.start()
    yield proxy
    proxy.close()


def _url(base: str, proxy: CuttableProxy) -> str:
    return make_url(base).set(port=proxy.port).render_as_string(hide_password=False)


async def test_it_retries_with_backoff_until_the_database_answers(
    postgres_url: str,  # noqa: F811
    proxy: CuttableProxy,
) -> None:
    engine = create_engine(_url(postgres_url, proxy))
    proxy.cut()
    time = FakeTime()

    def back_on_the_fourth_sleep() -> None:
        if len(time.slept) == 4:
            proxy.restore()

    time.on_sleep = back_on_the_fourth_sleep
    try:
        await wait_for_database(engine, patience=60, clock=time.clock, sleep=time.sleep)
    finally:
        await engine.dispose()

    assert time.slept == [0.5, 1.0, 2.0, 4.0]


async def test_it_gives_up_after_its_patience_with_the_reason_and_no_password(
    postgres_url: str,  # noqa: F811
    proxy: CuttableProxy,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = make_url(_url(postgres_url, proxy)).set(password="hunter2-secret")
    engine = create_engine(url.render_as_string(hide_password=False))
    proxy.cut()
    time = FakeTime()
    try:
        with pytest.raises(CliError) as gave_up:
            await wait_for_database(engine, patience=30, clock=time.clock, sleep=time.sleep)
    finally:
        await engine.dispose()

    assert time.slept == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 4.5]  # capped at 10 s, ends at 30 s
    message = str(gave_up.value)
    assert message.startswith("the database did not answer for 30 seconds (")
    assert "check G4HUB_DATABASE_URL" in message
    printed = message + capsys.readouterr().out
    assert "hunter2-secret" not in printed
    assert "OperationalError" not in message  # the driver's own words, which say what failed


async def test_a_database_that_answers_is_not_waited_for(
    postgres_url: str,  # noqa: F811
    proxy: CuttableProxy,
) -> None:
    engine = create_engine(_url(postgres_url, proxy))
    time = FakeTime()
    try:
        await wait_for_database(engine, patience=0, clock=time.clock, sleep=time.sleep)
    finally:
        await engine.dispose()
    assert time.slept == []
