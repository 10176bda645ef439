"""The worker benchmarks' processes: fake stores in child processes, `g4hub worker` processes, and
their memory read from /proc (no dependency).

Workers are started through the CLI only (`python -m hub_api worker`), so the benchmark runs
whichever job queue the hub ships: the flags it passes are read from `worker --help`.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

HERE = Path(__file__).resolve().parent


# -- fake stores ----------------------------------------------------------------------------------


class FakeStores:
    """Fake stores served by one child process (`_fake_stores.py`); `creds` holds their settings."""

    def __init__(self, child: subprocess.Popen[str], creds: list[dict[str, Any]]) -> None:
        self._child = child
        self.creds = creds

    @property
    def pid(self) -> int:
        return self._child.pid

    def stats(self) -> list[dict[str, Any]]:
        """Each store's requests, bucket and catalog digest (see `_fake_stores.stats`)."""
        assert self._child.stdin is not None
        assert self._child.stdout is not None
        self._child.stdin.write("stats\n")
        self._child.stdin.flush()
        line = self._child.stdout.readline()
        if not line:
            raise RuntimeError("a fake store process died")
        answer: list[dict[str, Any]] = json.loads(line)
        return answer


@contextlib.contextmanager
def fake_stores(platform: str, stores: int, products: int, *options: str) -> Iterator[FakeStores]:
    """`stores` fake stores of `products` each in a child process (options: `_fake_stores.py`'s)."""
    command = [
        sys.executable,
        str(HERE / "_fake_stores.py"),
        platform,
        "--stores",
        str(stores),
        "--products",
        str(products),
        *options,
    ]
    child = subprocess.Popen(  # noqa: S603
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        if not line:
            raise RuntimeError(f"the fake {platform} stores did not start")
        yield FakeStores(child, json.loads(line))
    finally:
        with contextlib.suppress(OSError):
            assert child.stdin is not None
            child.stdin.close()
        child.terminate()
        child.wait(timeout=30)


# -- g4hub worker processes -----------------------------------------------------------------------


def worker_options() -> str:
    """`g4hub worker --help`, to pass only the flags this version knows."""
    return subprocess.run(
        [sys.executable, "-m", "hub_api", "worker", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def worker_command(
    concurrency: int, help_text: str, *, polling: bool
) -> tuple[list[str], dict[str, str]]:
    """The worker's command line and the environment additions for `concurrency` syncs at once.
    `polling`: the worker polls the database for queued logs (the embedded runner), rather than
    hearing of new jobs from the queue (procrastinate's notifications, default polling kept)."""
    command = [sys.executable, "-m", "hub_api", "worker"]
    env = {"G4HUB_SYNC_CONCURRENCY": str(concurrency)}
    if "--concurrency" in help_text:
        command += ["--concurrency", str(concurrency)]
    if polling and "--poll-interval" in help_text:
        # The polling runner waits this long at most before it sees a queued sync.
        command += ["--poll-interval", "0.2"]
    if "--no-recover" in help_text:
        command.append("--no-recover")
    return command, env


class Worker:
    """One `g4hub worker` process; its output is kept (the last lines) for when it fails."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            command,
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output: collections.deque[str] = collections.deque(maxlen=40)
        self._said = threading.Event()
        threading.Thread(target=self._drain, daemon=True).start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line.rstrip())
            self._said.set()

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Wait for the worker's first line (it prints one once it takes jobs)."""
        if not self._said.wait(timeout) or self.process.poll() is not None:
            raise RuntimeError(f"worker {self.pid} did not start:\n" + "\n".join(self.output))

    @property
    def banner(self) -> str:
        """The first line the worker printed (what it runs, from where, how many at once)."""
        return self.output[0] if self.output else ""

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(
                f"worker {self.pid} exited ({self.process.returncode}):\n" + "\n".join(self.output)
            )

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not stopped within 30 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextlib.contextmanager
def workers(
    count: int,
    concurrency: int,
    env: dict[str, str],
    *,
    polling: bool,
    profile_dir: Path | None = None,
) -> Iterator[list[Worker]]:
    """`count` worker processes, each ready to take jobs; stopped afterwards. With
    `profile_dir`, each runs under cProfile and writes `worker-<time>-<n>.prof` there when it
    stops (read with `python -m pstats`)."""
    command, extra = worker_command(concurrency, worker_options(), polling=polling)
    commands = [command] * count
    if profile_dir is not None:
        stamp = time.strftime("%H%M%S")
        out = [str(profile_dir / f"worker-{stamp}-{n}.prof") for n in range(count)]
        commands = [[command[0], "-m", "cProfile", "-o", o, *command[1:]] for o in out]
    started = [Worker(line, {**env, **extra}) for line in commands]
    try:
        for worker in started:
            worker.wait_ready()
        yield started
    finally:
        for worker in started:
            worker.stop()


# -- CPU ------------------------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def machine_cpu() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine since boot, over every core (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:8]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / _TICK, sum(values) / _TICK


@attrs.define
class CpuMeter:
    """CPU seconds spent between `start()` and `stop()`: by the whole machine, by this process,
    and by groups of processes (label → a function listing their pids, asked at both ends; a
    process that ended in between is missed, one that began is counted from its start)."""

    groups: dict[str, Callable[[], list[int]]]
    _start: dict[str, dict[int, float]] = attrs.field(factory=dict)
    _machine: tuple[float, float, float] = (0.0, 0.0, 0.0)
    spent: dict[str, float] = attrs.field(factory=dict)

    def _read(self) -> dict[str, dict[int, float]]:
        now = {}
        for label, pids in self.groups.items():
            seen = {}
            for pid in pids():
                with contextlib.suppress(OSError):
                    seen[pid] = cpu_seconds(pid)
            now[label] = seen
        return now

    def start(self) -> None:
        self._start = self._read()
        self._machine = (*machine_cpu(), time.process_time())

    def stop(self) -> None:
        end = self._read()
        busy, total = machine_cpu()
        self.spent = {
            label: sum(cpu - self._start[label].get(pid, 0.0) for pid, cpu in seen.items())
            for label, seen in end.items()
        }
        self.spent["this process"] = time.process_time() - self._machine[2]
        self.spent["machine busy"] = busy - self._machine[0]
        self.spent["machine all"] = total - self._machine[1]

    def summary(self) -> str:
        spent = dict(self.spent)
        busy, total = spent.pop("machine busy"), spent.pop("machine all")
        rest = busy - sum(spent.values())
        parts = [f"{label} {seconds:.1f}" for label, seconds in spent.items()]
        return (
            f"CPU seconds: {', '.join(parts)}; anything else on the machine {rest:.1f} "
            f"(the machine was {busy / total:.0%} busy: {busy:.1f} of {total:.1f} core-seconds)"
        )


# -- memory ---------------------------------------------------------------------------------------


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (the kernel's own peak of RSS) of a process, in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


class RssSampler:
    """Samples a process's RSS every `interval` seconds in a thread, next to a progress figure
    that `progress()` returns (called in the same thread)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.samples: list[tuple[float, int, Any]] = []
        """(time.monotonic(), VmRSS KiB, progress)"""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.progress: Any = lambda: None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(OSError):
                rss = memory_kib(self.pid)["VmRSS"]
                self.samples.append((time.monotonic(), rss, self.progress()))
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
