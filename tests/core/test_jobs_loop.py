"""The shared runner loop: woken, it runs its work at once; a failure of the work is logged and
the loop goes on; stopping cancels it."""

from __future__ import annotations

import asyncio
import logging

import pytest

from g4hub_core.jobs_loop import run_woken, stop_tasks


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

    task = asyncio.create_task(
        run_woken(
            wake,
            3600.0,  # never by the poll: only when woken
            work,
            logger=logging.getLogger("tests.jobs_loop"),
            failure="work failed; retrying",
        )
    )
    wake.set()
    assert await asyncio.wait_for(ran.get(), 10) == 1
    wake.set()  # still running after the failure
    assert await asyncio.wait_for(ran.get(), 10) == 2
    await stop_tasks([task])
    assert task.cancelled()
    assert "work failed; retrying" in caplog.text
    assert "the database went away" in caplog.text
