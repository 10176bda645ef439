"""`g4hub serve --workers N` as an operator runs it: how its processes share the machine."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
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


async def test_connections_opened_at_once_are_spread_over_the_web_processes(
    data_dir: Path,
) -> None:
    """A dashboard keeps its connections open, so whichever process accepts one answers all of
    its requests: 16 connections opened together must not all land on one web process."""
    env = environment(data_dir, secret_keys=generate_key("test").encoded())
    with (data_dir.parent / "processes.log").open("w") as log:
        web = await _start("serve", "--workers", "2", "--port", "0", env=env, log=log)
        try:
            url = await _announced_url(web)
            web_processes = (await _web_processes(web.pid, 3))[:2]
            port = int(url.rsplit(":", 1)[1])
            # The banner comes once web process 0 answers; the other may still be starting.
            deadline = time.monotonic() + TIMEOUT
            while not all(_sockets_to(pid, port, "0A") for pid in web_processes):
                assert time.monotonic() < deadline, "a web process never listened"
                await asyncio.sleep(0.1)
            streams = await asyncio.gather(
                *(asyncio.open_connection("127.0.0.1", port) for _ in range(16))
            )
            try:
                # One request on each, so every connection has surely been accepted.
                for _, writer in streams:
                    writer.write(b"GET /health HTTP/1.1\r\nHost: hub\r\n\r\n")
                for reader, _ in streams:
                    assert (await reader.readline()).startswith(b"HTTP/1.1 200")
                held = {pid: _sockets_to(pid, port, "01") for pid in web_processes}
            finally:
                for _, writer in streams:
                    writer.close()
            web.send_signal(signal.SIGTERM)
            await asyncio.wait_for(web.communicate(), TIMEOUT)
        finally:
            if web.returncode is None:
                web.kill()
                await web.wait()

    assert sum(held.values()) == 16, held
    assert all(count > 0 for count in held.values()), held


def _sockets_to(pid: int, port: int, state: str) -> int:
    """How many TCP sockets on local `port` in `state` ("01": established, "0A": listening, as
    /proc/net/tcp writes them) the process `pid` holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = str(fd.readlink())
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == state and fields[9] in inodes:
                count += 1
    return count
