"""What runs on a Dask worker: a plugin that keeps one warm sandbox server per worker, and the
task that grades one attempt from its bytes. Imported only by the Dask engine and its workers."""

from __future__ import annotations

from pathlib import Path

from distributed.diagnostics.plugin import WorkerPlugin


class WarmGrader(WorkerPlugin):
    """On each worker: start the sandbox server (it imports torch), import pytest, load the
    problem collection, before the first submission arrives."""

    name = PLUGIN = "attn-practice-warm-grader"

    def __init__(self, problems_dir: str, solutions_dir: str) -> None:
        self.problems_dir, self.solutions_dir = problems_dir, solutions_dir
        self.catalog = None

    def setup(self, worker) -> None:
        from attn_practice.grader.catalog import Catalog
        from attn_practice.grader.sandbox.server import shared_server

        shared_server().start()
        self.catalog = Catalog.load(Path(self.problems_dir), Path(self.solutions_dir))
        import pytest  # noqa: F401
        import torch  # noqa: F401

    def teardown(self, worker) -> None:
        from attn_practice.grader.sandbox.server import shared_server

        shared_server().close()


def grade_bytes(problems_dir: str, solutions_dir: str, problem_id: str, display_path: str,
                source: bytes) -> str:
    """Grade one attempt, given as bytes, on this worker: its JSON result document."""
    from attn_practice.grader.batch import grade_one

    problem = _catalog(problems_dir, solutions_dir).get(problem_id)
    return grade_one(problem, Path(display_path), source)


def _catalog(problems_dir: str, solutions_dir: str):
    """The collection the worker's plugin loaded (or a fresh load, off a worker or for another
    collection than the plugin's)."""
    from distributed import get_worker

    from attn_practice.grader.catalog import Catalog

    try:
        plugin = get_worker().plugins.get(WarmGrader.PLUGIN)
    except ValueError:  # not on a worker
        plugin = None
    if plugin is not None and plugin.catalog is not None and plugin.problems_dir == problems_dir:
        return plugin.catalog
    return Catalog.load(Path(problems_dir), Path(solutions_dir))
