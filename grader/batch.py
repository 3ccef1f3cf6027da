"""`grade`: a folder of submissions (one file per learner) against one problem.

Worker processes import torch and pytest once and keep a warm sandbox server;
every submission still runs in its own fresh sandbox child, so a hanging or
crashing one costs only its own time limit. Workers hand back each result as a
JSON document (the same one `submit --format json` prints), never as pickles.
"""

from __future__ import annotations

import csv

import multiprocessing
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from grader.catalog import Catalog, Kind, Problem
from grader.errors import GraderError

CSV_FIELDS = ["learner", "status", "score", "passed", "total", "failed_checks", "diagnosis",
              "duration_seconds", "file"]


@dataclass(frozen=True)
class GradeRow:
    learner: str
    status: str
    score: float
    passed: int
    total: int
    failed_checks: str
    diagnosis: str
    duration_seconds: float
    file: str


def find_submissions(folder: Path, problem: Problem) -> list[Path]:
    if not folder.is_dir():
        raise GraderError(f"{folder} is not a folder of submissions.")
    suffix = ".py" if problem.kind is Kind.CODE else ".toml"
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix == suffix
                   and not p.name.startswith("."))
    if not files:
        raise GraderError(f"No {suffix} files in {folder}.",
                          hint="Put one file per learner there, named after the learner.")
    return files


def grade_folder(problems_dir: Path, solutions_dir: Path, problem_id: str, files: list[Path],
                 jobs: int, on_done: Callable[[GradeRow], None] | None = None
                 ) -> Iterator[tuple[GradeRow, str]]:
    """Yield (row, JSON document) for every submission, as they finish."""
    args = [(str(problems_dir), str(solutions_dir), problem_id, str(f)) for f in files]
    if jobs <= 1:
        for a in args:
            row, doc = _grade_one(*a)
            yield row, doc
        return
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_warm,
                             initargs=(str(problems_dir), str(solutions_dir), problem_id)) as pool:
        futures = [pool.submit(_grade_one, *a) for a in args]
        for future in as_completed(futures):
            yield future.result()


def write_outputs(rows: list[tuple[GradeRow, str]], out_csv: Path) -> Path:
    """The CSV (one line per learner, sorted) and one JSON result per learner beside it."""
    results_dir = out_csv.parent / (out_csv.stem + "-results")
    results_dir.mkdir(parents=True, exist_ok=True)
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    ordered = sorted(rows, key=lambda r: r[0].learner)
    with out_csv.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for row, doc in ordered:
            writer.writerow(row.__dict__)
            (results_dir / f"{row.learner}.json").write_text(doc, encoding="utf-8")
    return results_dir


_warm_state: dict[str, Problem] = {}


def _warm(problems_dir: str, solutions_dir: str, problem_id: str) -> None:
    """Worker start: load the problem, import torch and pytest, start the sandbox server."""
    problem = Catalog.load(Path(problems_dir), Path(solutions_dir)).get(problem_id)
    _warm_state["problem"] = problem
    if problem.kind is Kind.CODE:
        from grader.sandbox.client import shared_server

        shared_server().start()
        import pytest  # noqa: F401
        import torch  # noqa: F401


def _grade_one(problems_dir: str, solutions_dir: str, problem_id: str,
               file: str) -> tuple[GradeRow, str]:
    from grader.render.machine import to_json

    problem = _warm_state.get("problem")
    if problem is None or problem.id != problem_id:
        problem = Catalog.load(Path(problems_dir), Path(solutions_dir)).get(problem_id)
        _warm_state["problem"] = problem
    path = Path(file)
    started = time.perf_counter()
    source = path.read_bytes()
    if problem.kind is Kind.CODE:
        from grader.grading import grade_code

        result = grade_code(problem, path, source=source)
    else:
        from grader.quiz import grade_quiz

        result = grade_quiz(problem, path, source)
    duration = round(time.perf_counter() - started, 3)
    doc = to_json(result)
    row = GradeRow(
        learner=path.stem, status=result.status.value, score=round(result.score, 4),
        passed=result.passed, total=result.total,
        failed_checks=";".join(c.name for c in result.failing),
        diagnosis=result.diagnosis.mistake_id if result.diagnosis else "",
        duration_seconds=duration, file=str(path))
    return row, doc


def summary(rows: list[GradeRow]) -> dict[str, float]:
    n = len(rows)
    return {
        "submissions": n,
        "passed": sum(r.status == "pass" for r in rows),
        "failed": sum(r.status == "fail" for r in rows),
        "errors": sum(r.status == "error" for r in rows),
        "mean_score": round(sum(r.score for r in rows) / n, 4) if n else 0.0,
    }



