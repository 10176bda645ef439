"""The shared runner loop: woken, it runs its work at once; a failure of the work is logged and
the loop goes on; stopping lets the round in hand finish (a query is never cancelled halfway)
and cancels only a round that outlives the grace period."""

from __future__ import annotations

import asyncio
import logging

import pytest

from g4hub_core.jobs_loop import Loops, run_woken


def _loop(loops: Loops, wake: asyncio.Event, work: object) -> None:
    loops.start(
        "test loop",
        run_woken(
            loops,
            wake,
            3600.0,  # never by the poll: only when woken
            work,  # type: ignore[arg-type]
            logger=logging.getLogger("tests.jobs_loop"),
            failure="work failed; retrying",
        ),
    )


async def test_the_loop_runs_when_woken_survives_a_failure_and_stops(
    caplog: pytest.LogCaptureFixture,
) -> None:
    wake = asyncio.Event()
    ran: asyncio.Queue[int] = asyncio.Queue()
    calls = 0

    async def work() -> None:
        nonlocal calls
        calls += 1
        await ran.put(calls)
        if calls == 1:
            raise RuntimeError("the database went away")

    loops = Loops()
    _loop(loops, wake, work)
    wake.set()
    assert await asyncio.wait_for(ran.get(), 10) == 1
    wake.set()  # still running after the failure
    assert await asyncio.wait_for(ran.get(), 10) == 2
    await asyncio.wait_for(loops.stop(), 5)  # waiting for a wake-up: stops at once
    assert "work failed; retrying" in caplog.text
    assert "the database went away" in caplog.text
    wake.set()
    await asyncio.sleep(0.05)
    assert calls == 2  # stopped: woken, it runs nothing


async def test_stopping_lets_the_round_in_hand_finish() -> None:
    wake = asyncio.Event()
    started = asyncio.Event()
    finished: list[str] = []

    async def work() -> None:
        started.set()
        await asyncio.sleep(0.2)  # a query in flight
        finished.append("round")

    loops = Loops(grace=5)
    _loop(loops, wake, work)
    wake.set()
    await asyncio.wait_for(started.wait(), 10)
    await loops.stop()
    assert finished == ["round"]


async def test_a_round_past_the_grace_period_is_cancelled() -> None:
    wake = asyncio.Event()
    started = asyncio.Event()
    cancelled: list[bool] = []

    async def work() -> None:
        started.set()
        try:
            await asyncio.sleep(3600)  # a store that stopped answering
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    loops = Loops(grace=0.1)
    _loop(loops, wake, work)
    wake.set()
    await asyncio.wait_for(started.wait(), 10)
    await asyncio.wait_for(loops.stop(), 5)
    assert cancelled == [True]


async def test_loops_run_again_after_a_stop() -> None:
    wake = asyncio.Event()
    ran: asyncio.Queue[str] = asyncio.Queue()

    async def work() -> None:
        await ran.put("ran")

    loops = Loops()
    _loop(loops, wake, work)
    await loops.stop()
    _loop(loops, wake, work)
    wake.set()
    assert await asyncio.wait_for(ran.get(), 10) == "ran"
    await loops.stop()
