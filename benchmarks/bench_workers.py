"""Worker benchmarks: syncs run by `g4hub worker` processes on PostgreSQL.

Run with `nox -s bench` (or `uv run python benchmarks/bench_workers.py [--quick]`). Needs the
machine's PostgreSQL (`G4HUB_BENCH_POSTGRES_URL`, default postgresql://postgres@127.0.0.1:5432/
postgres); each run works in a scratch database it creates and drops. The hub process here only
queues syncs (it runs none); `python -m hub_api worker` subprocesses run them, and fake stores
answer from their own child processes. Prints figures; asserts nothing but the end state (every
store holds exactly its catalog), which it reports.

Targets (issue 6):
- 20 stores x 10,000 products at 20 ms latency, 1 worker vs 2 workers: total time, products/s;
- one store of 100,000 products on the fake Shopify's Standard bucket (40, leaking 2/s): within
  1.2 times the platform's own minimum (ceil(N/250) requests paced by the bucket);
- a worker's peak memory (RSS) syncing 100,000 products: flat, under 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# _sync_hub, _workers, bench_core: sibling scripts (their folder is on sys.path when run as one).
import _sync_hub
import attrs
import psycopg
from _sync_hub import (
    Placed,
    add_stores,
    backends,
    check_catalogs,
    log_times,
    queue_kind,
    queueing_hub,
    request_syncs,
    scratch,
    start_workers,
    wait_finished,
)
from _workers import (
    CpuMeter,
    FakeStores,
    RssSampler,
    Worker,
    fake_stores,
    memory_kib,
    worker_command,
    worker_options,
)
from bench_core import _admin_dsn

from g4hub_core import Hub

STORES_PER_CHILD = 5
SHOPIFY_PAGE = 250


def print_load() -> None:
    """Other work on the machine slows every figure here: say how much there was."""
    print(f"\n(load average at the start of this part: {os.getloadavg()[0]:.1f})", end="")


def print_check(problems: list[str], stores: int) -> None:
    if problems:
        print(f"  CHECK FAILED ({len(problems)}):", *problems[:10], sep="\n    ")
    else:
        print(
            f"  check: all {stores} stores hold exactly their catalogs (ids, rows, one sync each)"
        )


# -- 1. scale-out ---------------------------------------------------------------------------------


@contextlib.contextmanager
def woocommerce_fleet(stores: int, products: int, latency_ms: float) -> Iterator[list[FakeStores]]:
    """`stores` cached WooCommerce fakes, STORES_PER_CHILD to a child process."""
    with contextlib.ExitStack() as stack:
        children = [
            stack.enter_context(
                fake_stores(
                    "woocommerce",
                    min(STORES_PER_CHILD, stores - start),
                    products,
                    "--latency-ms",
                    str(latency_ms),
                    "--seed",
                    str(start + 1),
                    "--cache",
                )
            )
            for start in range(0, stores, STORES_PER_CHILD)
        ]
        yield children


@attrs.frozen
class Outcome:
    """One scale-out run: seconds from queueing to all finished, and CPU seconds per product of
    the workers and of everything the run drives (workers, PostgreSQL, fakes, this process)."""

    seconds: float
    worker_cpu: float
    own_cpu: float


async def scale_out_run(
    fleet: list[FakeStores], count: int, concurrency: int, products: int
) -> Outcome | None:
    """One run: `count` workers sync every store of `fleet` in a fresh database (None if the
    check found a store not holding exactly its catalog)."""
    creds = [c for child in fleet for c in child.creds]
    fleet_pids = [child.pid for child in fleet]
    total = len(creds) * products
    with scratch(f"workers{count}") as (dsn, data_dir):
        async with queueing_hub(dsn, data_dir) as hub:
            placed = await add_stores(hub, creds)
            with start_workers(count, concurrency, dsn, data_dir) as running:
                cpu = CpuMeter(
                    {
                        "workers": lambda: [w.pid for w in running],
                        "PostgreSQL (this database's connections)": lambda: backends(dsn),
                        "fakes": lambda: fleet_pids,
                    }
                )
                cpu.start()
                started = time.perf_counter()
                logs = await request_syncs(hub, placed)
                counts = await wait_finished(hub, logs, running, timeout=1800)
                seconds = time.perf_counter() - started
                cpu.stop()
                peaks = [memory_kib(w.pid)["VmHWM"] / 1024 for w in running]
                banner = running[0].banner
            span, longest = await log_times(hub, logs)
            fakes = [s for child in fleet for s in child.stats()]
            problems = await check_catalogs(hub, placed, logs, fakes)
    print(
        f"{count:>7} {concurrency:>11} {seconds:>8.1f} {total / seconds:>11,.0f}"
        f" {span:>10.1f} {longest:>12.1f} {max(peaks):>13.0f}  {dict(sorted(counts.items()))}"
    )
    print(f"  {cpu.summary()}")
    print_check(problems, len(creds))
    if count == 1:
        print(f"  (the worker said: {banner})")
    own = sum(v for k, v in cpu.spent.items() if not k.startswith("machine"))
    return None if problems else Outcome(seconds, cpu.spent["workers"] / total, own / total)


def print_ceiling(outcomes: list[Outcome]) -> None:
    """What the CPU seconds allow on an otherwise idle machine: other work slows the runs' wall
    times, but hardly their CPU seconds per product."""
    cores = os.cpu_count() or 1
    worker = min(o.worker_cpu for o in outcomes)
    own = min(o.own_cpu for o in outcomes)

    def ceiling(count: int) -> float:
        # A worker is one asyncio thread: one core at most; all together share the machine.
        return min(count / worker, cores / own)

    print(
        f"CPU per product: workers {worker * 1e6:.0f} us, everything the run drives "
        f"{own * 1e6:.0f} us (the least of the runs). On an otherwise idle {cores}-core machine "
        f"that allows at most {ceiling(1):,.0f} products/s with 1 worker and {ceiling(2):,.0f} "
        f"with 2 ({ceiling(2) / ceiling(1):.2f}x); {math.ceil(2 * own / worker)} cores would let "
        "2 workers run at 2x."
    )


async def bench_scale_out(
    stores: int, products: int, latency_ms: float, concurrency: int, runs: int
) -> None:
    print_load()
    print(
        f"\n## Scale-out: {stores} WooCommerce stores x {products:,} products at {latency_ms:g} ms"
        " latency, 1 worker vs 2 workers"
    )
    print(
        f"Fakes: {math.ceil(stores / STORES_PER_CHILD)} child processes of up to "
        f"{STORES_PER_CHILD} stores, answering from a warm cache (the latency is still paid). "
        f"Each worker runs {concurrency} syncs at once; each run uses a fresh database. 'seconds'"
        " runs from queueing all syncs to all finished; 'log span' from the first sync's start "
        "to the last one's end; 'longest' is the longest single sync; 'peak MiB' the largest "
        "worker's peak RSS."
    )
    print(
        f"{'workers':>7} {'concurrency':>11} {'seconds':>8} {'products/s':>11} {'log span':>10}"
        f" {'longest sync':>12} {'peak RSS MiB':>13}  statuses"
    )
    outcomes: dict[int, list[Outcome]] = {1: [], 2: []}
    with woocommerce_fleet(stores, products, latency_ms) as fleet:
        for _ in range(runs):  # alternating, so a burst of other work hits both alike
            for count in (1, 2):
                outcome = await scale_out_run(fleet, count, concurrency, products)
                if outcome is not None:
                    outcomes[count].append(outcome)
    if outcomes[1] and outcomes[2]:
        one, two = (min(o.seconds for o in outcomes[n]) for n in (1, 2))
        total = stores * products
        print(
            f"best of {runs}: 1 worker {one:.1f} s ({total / one:,.0f} products/s), 2 workers "
            f"{two:.1f} s ({total / two:,.0f} products/s); speed-up, 2 workers over 1: "
            f"{one / two:.2f}x"
        )
        print_ceiling(outcomes[1] + outcomes[2])


# -- 2. the Shopify bucket ------------------------------------------------------------------------


def bucket_minimum(products: int, extra_calls: int, size: int = 40, leak: float = 2.0) -> float:
    """Seconds the bucket itself needs for the listing: ceil(N/250) pages plus `extra_calls`,
    the first `size` at once from an empty bucket, then `leak` a second."""
    requests = math.ceil(products / SHOPIFY_PAGE) + extra_calls
    return max(0, requests - size) / leak


async def wait_bucket_empty(fake: FakeStores, timeout: float = 60.0) -> None:
    """The connection test of `stores.create` took some of the bucket: let it leak out first,
    so the sync starts from the empty bucket the minimum assumes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        level = fake.stats()[0]["bucket_level"]
        if level <= 0:
            return
        await asyncio.sleep(level / 2 + 0.05)  # it leaks 2 a second


def progress_of(dsn: str, log_id: uuid.UUID) -> Any:
    """A function reading a log's (products_fetched, status), on one connection of its own."""
    conn = psycopg.connect(dsn, autocommit=True)

    def read() -> tuple[int, str] | None:
        row = conn.execute(
            "SELECT products_fetched, status FROM sync_logs WHERE id = %s", (log_id,)
        ).fetchone()
        return (int(row[0] or 0), str(row[1])) if row else None

    read.close = conn.close  # type: ignore[attr-defined]
    return read


async def one_sync(
    hub: Hub, dsn: str, store: Placed, worker: Worker, timeout: float
) -> tuple[float, uuid.UUID, RssSampler]:
    """Queue one full sync for a ready worker and wait for it, sampling the worker's RSS and
    the sync's progress; returns the seconds from queueing to finished."""
    sampler = RssSampler(worker.pid)
    sampler.start()
    await asyncio.sleep(0.3)  # a few samples of the idle worker: "RSS at start"
    started = time.perf_counter()
    (log_id,) = await request_syncs(hub, [store])
    sampler.progress = progress_of(dsn, log_id)
    try:
        await wait_finished(hub, [log_id], [worker], timeout)
    finally:
        sampler.stop()
        sampler.progress.close()
    return time.perf_counter() - started, log_id, sampler


async def bench_shopify(products: int) -> None:
    print_load()
    print(f"\n## One Shopify store of {products:,} products on the Standard plan's bucket")
    print(
        "The fake Shopify (its own process, 0 ms latency) keeps Shopify's leaky bucket: 40 "
        "requests, leaking 2 a second, 429 on overflow. One worker syncs it; the store's "
        "connection test has leaked out of the bucket before the sync is queued. 'minimum' is "
        f"the bucket's own pace for ceil(N/{SHOPIFY_PAGE}) listing pages plus the sync's count "
        "call: the first 40 at once, then 2 a second."
    )
    with (
        fake_stores("shopify", 1, products, "--plan", "standard") as fake,
        scratch("shopify") as (dsn, data_dir),
    ):
        async with queueing_hub(dsn, data_dir) as hub:
            (store,) = await add_stores(hub, fake.creds)
            with start_workers(1, 1, dsn, data_dir) as (worker,):
                await wait_bucket_empty(fake)
                before = fake.stats()[0]
                timeout = max(600.0, 5 * bucket_minimum(products, 1))
                seconds, log_id, sampler = await one_sync(hub, dsn, store, worker, timeout)
                peak = memory_kib(worker.pid)["VmHWM"] / 1024
            after = fake.stats()[0]
            problems = await check_catalogs(hub, [store], [log_id], [after])
    requests = after["requests"] - before["requests"]
    pages = after["listing_requests"] - before["listing_requests"]
    minimum = bucket_minimum(products, requests - pages)
    listing = after["last_listing_at"] - after["first_listing_at"]
    print(
        f"requests: {requests} ({pages} listing pages, {requests - pages} other), "
        f"429 answers: {after['bucket_rejected'] - before['bucket_rejected']}, "
        f"bucket peak {after['bucket_peak']:.0f}/40"
    )
    print(
        f"wall time, queued to succeeded: {seconds:.1f} s; first to last listing request: "
        f"{listing:.1f} s; minimum {minimum:.1f} s"
    )
    print(f"ratio wall / minimum: {seconds / minimum:.3f} (target <= 1.2)")
    print(f"worker peak RSS during this sync: {peak:.0f} MiB; sampled {len(sampler.samples)} times")
    print_check(problems, 1)


# -- 3. a worker's memory -------------------------------------------------------------------------


def milestones(samples: list[tuple[float, int, Any]], products: int) -> list[tuple[str, float]]:
    """RSS (MiB) at start (before the sync was queued) and when the log first showed 25/50/75 %
    fetched and then succeeded."""
    idle = [rss for _, rss, progress in samples if progress is None]
    marks = [("start", (idle[-1] if idle else samples[0][1]) / 1024)]
    for percent in (25, 50, 75):
        rss = next(
            (r for _, r, p in samples if p is not None and p[0] * 100 >= percent * products), None
        )
        marks.append((f"{percent} %", rss / 1024 if rss is not None else math.nan))
    done = next((r for _, r, p in samples if p is not None and p[1] == "succeeded"), None)
    marks.append(("100 %", done / 1024 if done is not None else samples[-1][1] / 1024))
    return marks


async def bench_memory(products: int) -> None:
    print_load()
    print(f"\n## Memory of one worker syncing {products:,} WooCommerce products (0 ms latency)")
    print(
        "VmRSS of the worker process from /proc, sampled every 50 ms, and the kernel's VmHWM "
        "(its high-water mark over the process's life, updated lazily). Target: flat, under "
        "200 MB."
    )
    with (
        fake_stores("woocommerce", 1, products) as fake,
        scratch("memory") as (dsn, data_dir),
    ):
        async with queueing_hub(dsn, data_dir) as hub:
            (store,) = await add_stores(hub, fake.creds)
            with start_workers(1, 1, dsn, data_dir) as (worker,):
                seconds, log_id, sampler = await one_sync(hub, dsn, store, worker, 1800)
                peak = memory_kib(worker.pid)["VmHWM"] / 1024
            problems = await check_catalogs(hub, [store], [log_id], fake.stats())
    marks = milestones(sampler.samples, products)
    sampled_peak = max(rss for _, rss, _ in sampler.samples) / 1024
    print("  ".join(f"{label}: {mib:.0f} MiB" for label, mib in marks))
    print(
        f"peak {max(peak, sampled_peak):.0f} MiB (VmHWM {peak:.0f}, sampled {sampled_peak:.0f}), "
        f"growth from start "
        f"to 100 %: {marks[-1][1] - marks[0][1]:+.0f} MiB; sync took {seconds:.1f} s "
        f"({products / seconds:,.0f} products/s), {len(sampler.samples)} samples"
    )
    print_check(problems, 1)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument(
        "--only", choices=["scale-out", "shopify", "memory"], help="run one part only"
    )
    parser.add_argument(
        "--concurrency", type=int, default=4, help="syncs each worker runs at once (scale-out)"
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="scale-out runs of each worker count (best is shown)"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="run the workers under cProfile, writing their stats to DIR (slows them down)",
    )
    args = parser.parse_args()
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
        _sync_hub.PROFILE_DIR = args.profile.resolve()
    print(f"# g4hub worker benchmarks ({os.cpu_count()} cores, Python {sys.version.split()[0]})")
    with psycopg.connect(_admin_dsn()) as conn:
        version = conn.execute("SHOW server_version").fetchone()
    print(f"PostgreSQL {version[0] if version else '?'}")
    queue = queue_kind()
    command, env = worker_command(args.concurrency, worker_options(), polling=queue == "embedded")
    print(
        f"job queue: {queue}; workers: python -m hub_api {' '.join(command[3:])} "
        + " ".join(f"{k}={v}" for k, v in env.items())
        + " (the scale-out's concurrency; the single-store parts run 1)"
    )
    if args.only in (None, "scale-out"):
        per_store = 1_000 if args.quick else 10_000
        await bench_scale_out(20, per_store, 20, args.concurrency, args.runs)
    if args.only in (None, "shopify"):
        await bench_shopify(20_000 if args.quick else 100_000)
    if args.only in (None, "memory"):
        await bench_memory(20_000 if args.quick else 100_000)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    asyncio.run(main())
