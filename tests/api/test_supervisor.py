"""`g4hub serve --workers N` as an operator runs it: how its processes share the machine."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import httpx
import pytest

from g4hub_core.vault import generate_key
from tests.api.test_cli import TIMEOUT, _announced_url, _start, _web_processes, environment


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def _niceness(pid: int) -> int:
    """A process's nice value, from /proc (field 19 of its stat line)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[16])


async def test_the_background_process_runs_at_a_lower_cpu_priority_than_the_web_processes(
    data_dir: Path,
) -> None:
    env = environment(data_dir, secret_keys=generate_key("test").encoded())
    with (data_dir.parent / "processes.log").open("w") as log:
        web = await _start("serve", "--workers", "2", "--port", "0", env=env, log=log)
        try:
            url = await _announced_url(web)
            *web_processes, background = await _web_processes(web.pid, 3)
            async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                assert (await http.get("/health")).status_code == 200
            niceness = {pid: _niceness(pid) for pid in (web.pid, *web_processes, background)}
            web.send_signal(signal.SIGTERM)
            await asyncio.wait_for(web.communicate(), TIMEOUT)
        finally:
            if web.returncode is None:
                web.kill()
                await web.wait()

    ours = os.nice(0)
    output = (data_dir.parent / "processes.log").read_text()
    assert [niceness[pid] for pid in (web.pid, *web_processes)] == [ours] * 3, output
    assert niceness[background] == min(ours + 10, 19), output
