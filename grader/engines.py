"""Where a batch is graded: in this process, in a warm local pool, or on a Dask cluster.

Each engine takes `Submission`s and yields (submission, JSON result document) as they
finish. Only plain data travels: the attempt's bytes out, the document back. The
default (local) never imports Dask.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from attn_practice.grader.batch import Submission, grade_one, ungraded_doc
from attn_practice.grader.catalog import Catalog
from attn_practice.grader.errors import GraderError

DASK_MISSING = ("Grading on a Dask cluster needs the optional `distributed` package: "
                'pip install "attn-practice[dask]"')


class InProcess:
    """One submission after another, in this process (jobs = 1)."""

    name = "this process"

    def run(self, subs: list[Submission], catalog: Catalog) -> Iterator[tuple[Submission, str]]:
        for sub in subs:
            yield sub, grade_one(catalog.get(sub.problem_id), sub.path)


class LocalPool:
    """Warm worker processes on this machine (see grader/pool.py)."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.name = f"{jobs} local workers"

    def run(self, subs: list[Submission], catalog: Catalog) -> Iterator[tuple[Submission, str]]:
        from attn_practice.grader.pool import Task, WarmPool

        if not subs:
            return
        by_index = dict(enumerate(subs))
        slowest = max(catalog.get(s.problem_id).limits.submission_seconds for s in subs)
        pool = WarmPool(self.jobs, catalog.root, _solutions(catalog), slowest * 2 + 120)

        def failed(task: Task, reason: str) -> dict:
            sub = by_index[task.index]
            return {"doc": ungraded_doc(catalog.get(sub.problem_id), sub.path, reason)}

        tasks = [Task(i, s.problem_id, str(s.path)) for i, s in by_index.items()]
        for task, reply in pool.run(tasks, failed):
            yield by_index[task.index], reply["doc"]


class Dask:
    """A Dask cluster: a running scheduler (`address`), or a local one with `workers` workers.

    Each worker keeps one warm sandbox server (a worker plugin), grades with the same
    limits as local grading, and receives the attempt's bytes, not its path.
    """

    def __init__(self, address: str | None, workers: int) -> None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise GraderError(DASK_MISSING) from None
        self.address, self.workers = address, workers
        self.name = f"the Dask scheduler at {address}" if address else \
            f"a local Dask cluster of {workers} workers"

    def run(self, subs: list[Submission], catalog: Catalog) -> Iterator[tuple[Submission, str]]:
        from distributed import Client, LocalCluster, as_completed

        from attn_practice.grader.dask_worker import WarmGrader, grade_bytes

        if not subs:
            return
        cluster = None
        if self.address:
            client = Client(self.address)
        else:
            cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
        try:
            client.register_plugin(WarmGrader(str(catalog.root), str(_solutions(catalog))))
            futures = {}
            for sub in subs:
                future = client.submit(grade_bytes, str(catalog.root), str(_solutions(catalog)),
                                       sub.problem_id, str(sub.path), sub.path.read_bytes(),
                                       key=f"grade-{sub.learner}-{sub.problem_id}-{sub.sha256()[:12]}",
                                       pure=False)
                futures[future] = sub
            for future in as_completed(futures):
                sub = futures[future]
                try:
                    yield sub, future.result()
                except Exception as err:  # noqa: BLE001 - e.g. its workers kept dying
                    yield sub, ungraded_doc(catalog.get(sub.problem_id), sub.path,
                                            f"the cluster could not grade it ({type(err).__name__}: "
                                            f"{err})")
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def _solutions(catalog: Catalog) -> Path:
    problems = catalog.problems or []
    return problems[0].solutions_dir if problems else catalog.root.parent / "solutions"
