"""`wait_for_database`: `g4hub worker` waits for a database that is not up yet, with backoff,
and gives up with one clear line (PostgreSQL reached through a proxy the test cuts);
`resume_jobs`: a running worker's queue that lost its database is started again."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from g4hub_core.db import create_engine
from hub_api.process import CliError, resume_jobs, wait_for_database
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


class FlakyQueue:
    """A job queue whose first `failures` starts fail as a database that went away again."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[str] = []

    async def start(self) -> None:
        self.calls.append("start")
        if self.failures:
            self.failures -= 1
            raise ConnectionError("connection to server at 127.0.0.1 failed: Connection refused")

    async def stop(self) -> None:
        self.calls.append("stop")


async def test_a_queue_that_lost_its_database_is_started_again_once_it_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    jobs = FlakyQueue(failures=1)
    try:
        resumed = await resume_jobs(
            jobs, engine, patience=60, stop=asyncio.Event(), first_delay=0.01
        )
    finally:
        await engine.dispose()

    assert resumed
    assert jobs.calls == ["stop", "start", "stop", "start"]  # a failed start is retried
    assert "the job queue did not start again (connection to server" in capsys.readouterr().out


async def test_a_stop_while_waiting_for_the_database_starts_nothing(
    postgres_url: str,  # noqa: F811
    proxy: CuttableProxy,
) -> None:
    engine = create_engine(_url(postgres_url, proxy))
    proxy.cut()
    stop = asyncio.Event()
    jobs = FlakyQueue(failures=0)
    asyncio.get_running_loop().call_later(0.3, stop.set)
    try:
        resumed = await asyncio.wait_for(
            resume_jobs(jobs, engine, patience=60, stop=stop, first_delay=0.05), 30
        )
    finally:
        await engine.dispose()

    assert not resumed
    assert jobs.calls == ["stop"]
