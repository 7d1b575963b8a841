"""Where sweep points run: in this process, on local worker processes, or on a Dask distributed cluster.

Each executor yields finished point records in completion order; the caller (the parent process) stores them.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from reconfig.analysis.sweep.point import failed_record, run_point

Task = dict[str, Any]
CONNECT_TIMEOUT = 10.0  # seconds to reach a Dask scheduler


class SweepError(Exception):
    """A sweep cannot start or go on (unreachable scheduler, unusable run directory); exit status 2."""


class Executor(Protocol):
    workers: int
    description: str
    threads_per_point: int | None

    def results(self, tasks: list[Task]) -> Iterator[dict[str, Any]]: ...

    def close(self) -> None: ...


class InProcess:
    """One point after another in this process (workers = 1): HiGHS uses the scenario's thread setting."""

    workers = 1
    description = "1 worker (this process)"
    threads_per_point: int | None = None

    def results(self, tasks: list[Task]) -> Iterator[dict[str, Any]]:
        for t in tasks:
            yield run_point(t)

    def close(self) -> None:
        pass


class LocalProcesses:
    """`workers` spawned processes, at most one point each at a time; one HiGHS thread per point."""

    threads_per_point = 1

    def __init__(self, workers: int):
        self.workers = workers
        self.description = f"{workers} local worker processes"
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        self.close()
        self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def results(self, tasks: list[Task]) -> Iterator[dict[str, Any]]:
        """Yield records as points finish. When a worker process dies, every point then in flight is a suspect:
        each is re-run alone on a fresh pool, and one that kills its worker alone is recorded as failed."""
        queue, suspects = deque(tasks), deque[Task]()
        running: dict[Future, Task] = {}
        isolating = False  # re-running suspects one at a time
        pool = self._new_pool()
        while queue or suspects or running:
            isolating = isolating and bool(suspects or running)
            source, window = (suspects, 1) if isolating else (queue, self.workers)
            while source and len(running) < window:
                t = source.popleft()
                running[pool.submit(run_point, t)] = t
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            crashed = []
            for f in done:
                t = running.pop(f)
                try:
                    yield f.result()
                except BrokenProcessPool:
                    crashed.append(t)
            if crashed:
                in_flight = crashed + list(running.values())
                running.clear()
                if len(in_flight) == 1:
                    yield failed_record(in_flight[0], "the worker process died while solving this point alone "
                                                      "(out of memory or a solver crash)")
                else:
                    suspects.extend(in_flight)
                    isolating = True
                pool = self._new_pool()

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        procs = list((getattr(pool, "_processes", None) or {}).values())  # our own workers, ended by id
        pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(timeout=5)


class DaskCluster:
    """Points as tasks on an existing Dask distributed cluster (`--scheduler tcp://HOST:PORT`).

    Workers must import the same reconfig and see the scenario and data at the same paths (one machine or a
    shared file system); run workers with one thread each (`dask worker … --nthreads 1`).
    """

    threads_per_point = 1

    def __init__(self, address: str):
        try:
            from distributed import Client
        except ImportError as e:  # pragma: no cover - a main dependency
            raise SweepError("--scheduler needs dask[distributed]: pip install 'dask[distributed]'") from e
        try:
            self.client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as e:
            raise SweepError(f"cannot reach the Dask scheduler at {address}: {e}") from None
        info = self.client.scheduler_info()
        self.workers = max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))
        self.description = f"Dask cluster at {address} ({len(info.get('workers', {}))} workers, " \
                           f"{self.workers} threads)"
        self._futures: list[Any] = []

    def results(self, tasks: list[Task]) -> Iterator[dict[str, Any]]:
        from distributed import as_completed

        by_future = {self.client.submit(run_point, t, pure=False, key=f"reconfig-point-{t['id']}-{id(self)}"): t
                     for t in tasks}
        self._futures = list(by_future)
        for f in as_completed(by_future, loop=self.client.loop):
            t = by_future[f]
            try:
                yield f.result()
            except Exception as e:  # the worker died (KilledWorker) or the task was lost
                yield failed_record(t, f"the Dask cluster could not run this point: {type(e).__name__}: {e}")

    def close(self) -> None:
        if self._futures:
            self.client.cancel(self._futures)
            self._futures = []
        self.client.close()


def open_executor(workers: int, scheduler: str | None) -> Executor:
    if scheduler:
        return DaskCluster(scheduler)
    if workers <= 1:
        return InProcess()
    return LocalProcesses(workers)
