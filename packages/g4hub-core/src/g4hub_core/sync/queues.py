"""Choosing the job queue a hub runs its syncs on, from its settings (`job_queue`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from g4hub_core.hub import Hub
    from g4hub_core.sync.jobs import JobQueue

__all__ = ["create_job_queue"]


def create_job_queue(
    hub: Hub,
    *,
    run_syncs: bool = True,
    concurrency: int | None = None,
    poll_interval: float | None = None,
    recover: bool = True,
) -> JobQueue:
    """The job queue `hub.settings.resolved_job_queue` names.

    - procrastinate (PostgreSQL): `ProcrastinateQueue`, running a worker in this process unless
      `run_syncs=False` (then it only queues jobs, for `g4hub worker` processes);
      `poll_interval` is how often the worker looks for jobs besides notifications (default 5).
    - embedded: `EmbeddedRunner` (with `poll_interval`, it also polls the database for syncs
      queued by other processes; `recover` as there), or with `run_syncs=False`
      `DatabaseQueue`, which leaves the queued logs to polling workers.

    `concurrency`: syncs run at once (default `settings.sync_concurrency`). Procrastinate is
    imported only when chosen.
    """
    if hub.settings.resolved_job_queue == "procrastinate":
        from g4hub_core.sync.procrastinate_queue import ProcrastinateQueue

        return ProcrastinateQueue(
            hub,
            run_worker=run_syncs,
            concurrency=concurrency,
            poll_interval=poll_interval or 5.0,
        )
    from g4hub_core.sync.runner import DatabaseQueue, EmbeddedRunner

    if not run_syncs:
        return DatabaseQueue()
    return EmbeddedRunner(
        hub, poll_interval=poll_interval, recover=recover, concurrency=concurrency
    )
