"""`grade`: a folder of submissions (one file per learner) against one problem.

Every file gets a row. A submission that cannot be graded (whatever the reason)
is a row with status `error` and the reason; one learner never stops the class.
Each result document (the one `submit --format json` prints) is written as soon
as it is ready; the CSV, sorted by learner, at the end.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.catalog import Kind, Problem
from grader.errors import GraderError
from grader.results import Status, SubmissionResult
from grader.sandbox.server import ForkServer

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


@dataclass(frozen=True)
class ClassSummary:
    submissions: int
    passed: int
    failed: int
    errors: int
    mean_score: float
    csv_path: Path
    results_dir: Path


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


def grade_one(problem: Problem, path: Path,
              server: ForkServer | None = None) -> tuple[GradeRow, str]:
    """Grade one learner's file: (row, JSON document). Never raises."""
    from grader.engine import grade
    from grader.render.machine import to_json

    started = time.perf_counter()
    try:
        result = grade(problem, path, server=server)
    except GraderError as err:  # e.g. unreadable file, a problem broken for this input
        result = ungraded(problem, path, str(err))
    except Exception as err:  # noqa: BLE001 - a grader bug must not stop the class
        result = ungraded(problem, path, f"the grader failed on this submission "
                          f"({type(err).__name__}: {err})")
    duration = round(time.perf_counter() - started, 3)
    return row_of(result, path, duration), to_json(result)


def ungraded(problem: Problem, path: Path, reason: str) -> SubmissionResult:
    try:
        source = path.read_bytes()
    except OSError:
        source = b""
    result = SubmissionResult.new(problem.id, path, source, kind=problem.kind)
    result.message = reason
    return result


def row_of(result: SubmissionResult, path: Path, duration: float) -> GradeRow:
    return GradeRow(
        learner=path.stem, status=result.status.value, score=round(result.score, 4),
        passed=result.passed, total=result.total,
        failed_checks=";".join(c.name for c in result.failing),
        diagnosis=result.diagnosis.mistake_id if result.diagnosis else "",
        duration_seconds=duration, file=str(path))


def grade_class(problem: Problem, files: list[Path], out_csv: Path, jobs: int,
                on_row: Callable[[GradeRow], None] = lambda row: None) -> ClassSummary:
    """Grade every file (in `jobs` warm workers when jobs > 1) and write the outputs."""
    results_dir = out_csv.parent / (out_csv.stem + "-results")
    results_dir.mkdir(parents=True, exist_ok=True)
    rows: list[GradeRow] = []

    def keep(row: GradeRow, doc: str) -> None:
        (results_dir / f"{row.learner}.json").write_text(doc, encoding="utf-8")
        rows.append(row)
        on_row(row)

    if jobs <= 1:
        for path in files:
            keep(*grade_one(problem, path))
    else:
        _grade_in_pool(problem, files, jobs, keep)
    _write_csv(rows, out_csv)
    return summarize(rows, out_csv, results_dir)


def _grade_in_pool(problem: Problem, files: list[Path], jobs: int,
                   keep: Callable[[GradeRow, str], None]) -> None:
    from grader.pool import Task, WarmPool
    from grader.render.machine import to_json

    def failed(task: Task, reason: str) -> dict:
        path = Path(task.file)
        result = ungraded(problem, path, reason)
        return {"row": row_of(result, path, 0.0).__dict__, "doc": to_json(result)}

    tasks = [Task(i, problem.id, str(f)) for i, f in enumerate(files)]
    # a task can take its submission limit, plus the diagnosis and a cold worker's start
    seconds = problem.limits.submission_seconds * 2 + 120
    pool = WarmPool(jobs, problem.folder.parent, problem.solutions_dir, seconds)
    for _task, reply in pool.run(tasks, failed):
        keep(GradeRow(**reply["row"]), reply["doc"])


def _write_csv(rows: list[GradeRow], out_csv: Path) -> None:
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    with out_csv.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for row in sorted(rows, key=lambda r: r.learner):
            writer.writerow(row.__dict__)


def summarize(rows: list[GradeRow], csv_path: Path, results_dir: Path) -> ClassSummary:
    n = len(rows)
    return ClassSummary(
        submissions=n,
        passed=sum(r.status == Status.PASS.value for r in rows),
        failed=sum(r.status == Status.FAIL.value for r in rows),
        errors=sum(r.status == Status.ERROR.value for r in rows),
        mean_score=round(sum(r.score for r in rows) / n, 4) if n else 0.0,
        csv_path=csv_path, results_dir=results_dir,
    )
