"""Choosing the job queue a hub runs its syncs on, from its settings (`job_queue`).

Hub(settings)                                                     # create_job_queue(runtime)
Hub(settings, jobs=job_queue(run_syncs=False))                    # `g4hub serve --no-sync`
"""

from __future__ import annotations

from typing import Any

from g4hub_core.sync.jobs import JobQueue, JobQueueFactory, JobRuntime

__all__ = ["create_job_queue", "job_queue"]


def job_queue(**options: Any) -> JobQueueFactory:
    """A factory for `Hub(jobs=...)`: `create_job_queue` with these `options`."""

    def make(runtime: JobRuntime) -> JobQueue:
        return create_job_queue(runtime, **options)

    return make


def create_job_queue(
    runtime: JobRuntime,
    *,
    run_syncs: bool = True,
    concurrency: int | None = None,
    poll_interval: float | None = None,
    recover: bool = True,
) -> JobQueue:
    """The job queue `runtime.settings.resolved_job_queue` names.

    - procrastinate (PostgreSQL): `ProcrastinateQueue`, running a worker in this process unless
      `run_syncs=False` (then it only queues jobs, for `g4hub worker` processes);
      `poll_interval` is how often the worker looks for jobs besides notifications (default 5).
    - embedded: `EmbeddedRunner` (with `poll_interval`, it also polls the database for syncs
      queued by other processes; `recover` as there), or with `run_syncs=False`
      `DatabaseQueue`, which leaves the queued logs to polling workers.

    `concurrency`: syncs run at once (default `settings.sync_concurrency`). Procrastinate is
    imported only when chosen.
    """
    if runtime.settings.resolved_job_queue == "procrastinate":
        from g4hub_core.sync.procrastinate_queue import ProcrastinateQueue

        return ProcrastinateQueue(
            runtime,
            run_worker=run_syncs,
            concurrency=concurrency,
            poll_interval=poll_interval or 5.0,
        )
    from g4hub_core.sync.runner import DatabaseQueue, EmbeddedRunner

    if not run_syncs:
        return DatabaseQueue()
    return EmbeddedRunner(
        runtime, poll_interval=poll_interval, recover=recover, concurrency=concurrency
    )
