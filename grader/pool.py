"""Warm worker processes for grading many submissions: each keeps torch, pytest and a
sandbox server loaded, and grades one submission at a time.

Messages between this process and the workers are JSON (the task, and the result
document back), never pickles. A worker that dies (or stops answering) is replaced;
the submission it was grading is retried once in a fresh worker, then recorded
as an error. One learner can never stop the class.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

TRIES = 2  # a submission whose worker dies twice is recorded as an error


@dataclass(frozen=True)
class Task:
    index: int
    problem_id: str
    file: str


@dataclass
class _Worker:
    process: Any  # multiprocessing.Process
    conn: Connection
    task: Task | None = None
    started: float = 0.0


class WarmPool:
    """`jobs` spawned workers grading tasks; results come back as plain JSON dicts."""

    def __init__(self, jobs: int, problems_dir: Path, solutions_dir: Path,
                 task_seconds: float, serve: Callable[..., None] | None = None) -> None:
        self.jobs, self.task_seconds = jobs, task_seconds
        self._serve = serve or _serve  # tests pass a worker that dies
        self.dirs = (str(problems_dir), str(solutions_dir))
        self._ctx = multiprocessing.get_context("spawn")
        self._workers: list[_Worker] = []

    def run(self, tasks: list[Task],
            on_failure: Callable[[Task, str], dict[str, Any]]) -> Iterator[tuple[Task, dict]]:
        """Yield (task, reply) as each finishes; `on_failure` makes the reply of a task that
        could not be graded (its worker died on every try)."""
        queue: deque[Task] = deque(tasks)
        tries: dict[int, int] = {}
        try:
            while queue or any(w.task for w in self._workers):
                self._fill(queue)
                for worker, reply in self._wait():
                    task = worker.task
                    assert task is not None
                    worker.task = None
                    if reply is not None:
                        yield task, reply
                        continue
                    self._replace(worker)
                    tries[task.index] = tries.get(task.index, 0) + 1
                    if tries[task.index] < TRIES:
                        queue.appendleft(task)
                    else:
                        yield task, on_failure(task, "the grading process died on this "
                                               f"submission {TRIES} times")
        finally:
            self.close()

    def close(self) -> None:
        for worker in self._workers:
            try:
                worker.conn.close()
            except OSError:
                pass
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
        self._workers.clear()

    # -- internals ---------------------------------------------------------------------

    def _fill(self, queue: deque[Task]) -> None:
        while len(self._workers) < min(self.jobs, len(queue) + self._busy()):
            self._workers.append(self._spawn())
        for worker in self._workers:
            if worker.task is None and queue:
                worker.task = queue.popleft()
                worker.started = time.monotonic()
                try:
                    worker.conn.send_bytes(json.dumps(worker.task.__dict__).encode())
                except OSError:
                    pass  # a dead worker: found by _wait

    def _busy(self) -> int:
        return sum(1 for w in self._workers if w.task is not None)

    def _wait(self) -> list[tuple[_Worker, dict | None]]:
        """Replies that arrived (None for a worker that died or overran its task's time)."""
        busy = [w for w in self._workers if w.task is not None]
        ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=1.0)
        done = []
        for worker in busy:
            if worker.conn in ready:
                try:
                    done.append((worker, json.loads(worker.conn.recv_bytes())))
                    continue
                except (EOFError, OSError, ValueError):
                    done.append((worker, None))
                    continue
            overran = time.monotonic() - worker.started > self.task_seconds
            if worker.process.sentinel in ready or overran:
                done.append((worker, None))
        return done

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=self._serve, args=(child, *self.dirs), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def _replace(self, worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join()
        worker.conn.close()
        self._workers.remove(worker)


def _serve(conn: Connection, problems_dir: str, solutions_dir: str) -> None:
    """A worker: warm up once, then grade one task per message until the pipe closes."""
    from attn_practice.grader.batch import grade_one
    from attn_practice.grader.catalog import Catalog
    from attn_practice.grader.sandbox.server import shared_server

    server = shared_server()
    server.start()
    catalog = Catalog.load(Path(problems_dir), Path(solutions_dir))
    import pytest  # noqa: F401 - warm while the sandbox server imports torch
    import torch  # noqa: F401

    while True:
        try:
            task = json.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        doc = grade_one(catalog.get(task["problem_id"]), Path(task["file"]), server=server)
        conn.send_bytes(json.dumps({"doc": doc}).encode())
