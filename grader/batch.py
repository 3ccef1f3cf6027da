"""`grade`: a class (a folder of files, one per learner, for one problem) or a whole course
(a folder per learner, a file per problem) graded in one command.

Every submission gets a row. One that cannot be graded (whatever the reason) is a
row with status `error` and the reason; one learner never stops the class. Each
result document (the one `submit --format json` prints) is written as soon as it
is ready, and the rows are derived from those documents, so `--resume` can skip
every attempt whose file hash already has one. The CSV, sorted, comes at the end.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from attn_practice.grader.catalog import Catalog, Kind, Problem
from attn_practice.grader.errors import GraderError, ProblemNotFoundError
from attn_practice.grader.results import Status, SubmissionResult
from attn_practice.grader.sandbox.server import ForkServer

CSV_FIELDS = ["learner", "problem", "status", "score", "passed", "total", "failed_checks",
              "diagnosis", "file"]
SUFFIX = {Kind.CODE: ".py", Kind.QUIZ: ".toml"}


@dataclass(frozen=True)
class Submission:
    learner: str
    problem_id: str
    path: Path
    result_name: str  # where its JSON document goes, under the results folder

    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class GradeRow:
    learner: str
    problem: str
    status: str
    score: float
    passed: int
    total: int
    failed_checks: str
    diagnosis: str
    file: str


@dataclass(frozen=True)
class Skipped:
    path: Path
    why: str


# --- finding the submissions -----------------------------------------------------------


def find_class(folder: Path, problem: Problem) -> list[Submission]:
    """One file per learner (named after the learner) for one problem."""
    _is_folder(folder)
    suffix = SUFFIX[problem.kind]
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix == suffix
                   and not p.name.startswith("."))
    if not files:
        raise GraderError(f"No {suffix} files in {folder}.",
                          hint="Put one file per learner there, named after the learner.")
    return [Submission(p.stem, problem.id, p, f"{p.stem}.json") for p in files]


def find_course(folder: Path, catalog: Catalog) -> tuple[list[Submission], list[Skipped]]:
    """A folder per learner, each holding attempts named by problem (problem5.py, 1.toml...)."""
    _is_folder(folder)
    found, skipped = [], []
    for learner in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for path in sorted(p for p in learner.iterdir() if p.is_file() and not p.name.startswith(".")):
            try:
                problem = catalog.get(path.stem)
            except ProblemNotFoundError:
                skipped.append(Skipped(path, "not named after a problem"))
                continue
            if path.suffix != SUFFIX[problem.kind]:
                skipped.append(Skipped(path, f"{problem.id} takes a {SUFFIX[problem.kind]} file"))
                continue
            found.append(Submission(learner.name, problem.id, path,
                                    f"{learner.name}/{problem.id}.json"))
    if not found:
        raise GraderError(f"No attempts in {folder}.",
                          hint="A course folder holds a folder per learner, each with files "
                               "named by problem: alice/problem5.py, alice/problem1.toml.")
    return found, skipped


def _is_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise GraderError(f"{folder} is not a folder of submissions.")


# --- grading one ---------------------------------------------------------------------


def grade_one(problem: Problem, path: Path, source: bytes | None = None,
              server: ForkServer | None = None) -> str:
    """Grade one learner's attempt; its JSON result document. Never raises."""
    from attn_practice.grader.engine import grade
    from attn_practice.grader.render.machine import to_json

    try:
        raw = path.read_bytes() if source is None else source
        result = grade(problem, path, raw, server=server, points_when_ungradable=True)
    except GraderError as err:  # e.g. an unreadable file, a problem broken for this input
        result = ungraded(problem, path, str(err))
    except Exception as err:  # noqa: BLE001 - a grader bug must not stop the class
        result = ungraded(problem, path, f"the grader failed on this submission "
                          f"({type(err).__name__}: {err})")
    return to_json(result)


def ungraded(problem: Problem, path: Path, reason: str) -> SubmissionResult:
    try:
        source = path.read_bytes()
    except OSError:
        source = b""
    result = SubmissionResult.new(problem.id, path, source, kind=problem.kind)
    result.message = reason
    return result


def ungraded_doc(problem: Problem, path: Path, reason: str) -> str:
    from attn_practice.grader.render.machine import to_json

    return to_json(ungraded(problem, path, reason))


def row_of(sub: Submission, doc: dict) -> GradeRow:
    """The CSV row of one result document (so a resumed run gives the same rows)."""
    failing = [t["name"] for t in doc.get("tests", []) if t.get("status") != "pass"]
    diagnosis = doc.get("diagnosis") or {}
    return GradeRow(
        learner=sub.learner, problem=sub.problem_id, status=doc["status"],
        score=doc.get("score", 0.0), passed=doc.get("passed", 0), total=doc.get("total", 0),
        failed_checks=";".join(failing), diagnosis=diagnosis.get("mistake_id", "") or "",
        file=str(sub.path))


# --- grading many ----------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    submissions: int
    passed: int
    failed: int
    errors: int
    resumed: int
    mean_score: float
    csv_path: Path
    results_dir: Path


def grade_all(subs: list[Submission], catalog: Catalog, engine, out_csv: Path,
              resume: bool = False,
              on_row: Callable[[GradeRow], None] = lambda row: None) -> tuple[Totals, list]:
    """Grade every submission with `engine`; write each document as it comes, then the CSV.
    Returns the totals and the rows with their documents (for the class report)."""
    results_dir = out_csv.parent / (out_csv.stem + "-results")
    results_dir.mkdir(parents=True, exist_ok=True)
    graded: list[tuple[GradeRow, dict]] = []
    todo, resumed = [], 0
    for sub in subs:
        doc = _previous(results_dir / sub.result_name, sub) if resume else None
        if doc is not None:
            resumed += 1
            graded.append((row_of(sub, doc), doc))
            on_row(graded[-1][0])
        else:
            todo.append(sub)
    for sub, text in engine.run(todo, catalog):
        target = results_dir / sub.result_name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        doc = json.loads(text)
        graded.append((row_of(sub, doc), doc))
        on_row(graded[-1][0])
    rows = sorted((r for r, _ in graded), key=lambda r: (r.learner, _number(r.problem)))
    _write_csv(rows, out_csv)
    n = len(rows)
    totals = Totals(
        submissions=n, resumed=resumed,
        passed=sum(r.status == Status.PASS.value for r in rows),
        failed=sum(r.status == Status.FAIL.value for r in rows),
        errors=sum(r.status == Status.ERROR.value for r in rows),
        mean_score=round(sum(r.score for r in rows) / n, 4) if n else 0.0,
        csv_path=out_csv, results_dir=results_dir)
    return totals, graded


def _previous(path: Path, sub: Submission) -> dict | None:
    """The document an earlier run wrote for this very file (same hash), if any."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        same = doc.get("attempt", {}).get("sha256") == sub.sha256()
        return doc if same and doc.get("problem") == sub.problem_id else None
    except (OSError, ValueError, AttributeError):
        return None


def _number(problem_id: str) -> int:
    digits = problem_id.removeprefix("problem")
    return int(digits) if digits.isdigit() else 0


def _write_csv(rows: list[GradeRow], out_csv: Path) -> None:
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    with out_csv.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow(asdict(row))

