"""Grading a course on a real Dask cluster (a scheduler and two worker processes on this
machine) gives the same CSV as the local pool, also when a worker is killed midway."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from attn_practice.grader.api import App
from attn_practice.grader.config import resolve_settings

distributed = pytest.importorskip("distributed", reason="the optional `distributed` package "
                                  "is not installed (pip install 'attn-practice[dask]')")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """Six learners: right and wrong attempts at problem5 and problem9, and one quiz."""
    root = tmp_path_factory.mktemp("course")
    sources = {
        "ann": {"problem5": REPO / "solutions" / "problem5.py",
                "problem9": REPO / "problems" / "problem9" / "mistakes" / "inverted_mask.py"},
        "ben": {"problem5": REPO / "problems" / "problem5" / "mistakes" / "softmax_over_queries.py",
                "problem1": REPO / "solutions" / "problem1.toml"},
        "cat": {"problem9": REPO / "solutions" / "problem9.py"},
        "dan": {"problem5": REPO / "problems" / "problem5" / "mistakes" / "scaled_scores.py"},
        "eve": {"problem9": REPO / "problems" / "problem9" / "mistakes" / "no_scaling.py"},
        "fay": {"problem5": REPO / "tests" / "golden" / "problem5" / "syntax-error" / "attempt.py"},
    }
    for learner, files in sources.items():
        (root / learner).mkdir()
        for pid, src in files.items():
            shutil.copy(src, root / learner / f"{pid}{src.suffix}")
    return root


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> App:
    return App(resolve_settings(REPO / "problems", tmp_path_factory.mktemp("ws")))


@pytest.fixture(scope="module")
def local_csv(course: Path, app: App, tmp_path_factory) -> str:
    subs, _ = app.find_batch(course)
    out = tmp_path_factory.mktemp("local") / "grades.csv"
    app.grade_batch(subs, app.engine(2), out)
    return out.read_text()


@pytest.fixture()
def cluster():
    """A real scheduler and two workers (separate processes, behind nannies)."""
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    yield cluster
    cluster.close()


def test_a_course_on_two_dask_workers_gives_the_local_pools_csv(course, app, local_csv, cluster,
                                                               tmp_path) -> None:
    subs, _ = app.find_batch(course)
    out = tmp_path / "grades.csv"
    outcome = app.grade_batch(subs, app.engine(2, scheduler=cluster.scheduler_address), out)
    assert out.read_text() == local_csv
    assert outcome.totals.submissions == 8 and outcome.totals.errors == 1  # fay's syntax error
    assert (tmp_path / "grades-results" / "ann" / "problem9.json").is_file()
    assert "inverted-mask" in (tmp_path / "mistakes.csv").read_text()


def test_a_worker_killed_midway_changes_nothing(course, app, local_csv, cluster, tmp_path) -> None:
    with distributed.Client(cluster.scheduler_address) as client:
        pids = list(client.run(os.getpid).values())
    killed = []

    def kill_one(row) -> None:
        if not killed:  # after the first result: the other submissions are queued or running
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    subs, _ = app.find_batch(course)
    out = tmp_path / "grades.csv"
    app.grade_batch(subs, app.engine(2, scheduler=cluster.scheduler_address), out,
                    on_row=kill_one)
    assert killed
    assert out.read_text() == local_csv


def test_resume_skips_what_was_graded(course, app, local_csv, tmp_path) -> None:
    subs, _ = app.find_batch(course)
    out = tmp_path / "grades.csv"
    app.grade_batch(subs[:3], app.engine(1), out)  # a run stopped after three
    outcome = app.grade_batch(subs, app.engine(1), out, resume=True)
    assert outcome.totals.resumed == 3
    assert out.read_text() == local_csv


def test_the_default_engine_never_imports_dask(course, tmp_path) -> None:
    small = tmp_path / "course"
    shutil.copytree(course / "cat", small / "cat")
    code = ("import sys, cli; sys.argv = ['attn-practice', 'grade', sys.argv[1], '--out', "
            "sys.argv[2], '--jobs', '1']\ntry:\n    cli.main()\nexcept SystemExit:\n    pass\n"
            "print('distributed' in sys.modules, 'dask' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(small), str(tmp_path / "g.csv")],
                          capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "ATTN_PRACTICE_WORKSPACE": str(tmp_path / "ws")})
    assert done.stdout.strip().splitlines()[-1] == "False False", done.stdout + done.stderr
