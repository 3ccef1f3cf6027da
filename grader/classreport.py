"""The class report: per problem, what the known mistakes explain, which checks fail most, and
how the scores spread. Built from the result documents; written as mistakes.csv."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from attn_practice.grader.catalog import Catalog, ProblemNotFoundError

BINS = ("0-25%", "25-50%", "50-75%", "75-99%", "100%")


@dataclass
class MistakeCount:
    mistake_id: str
    title: str
    learners: int


@dataclass
class ProblemReport:
    problem_id: str
    title: str
    learners: int
    passed: int
    errors: int
    mistakes: list[MistakeCount] = field(default_factory=list)
    failing_checks: list[tuple[str, int]] = field(default_factory=list)  # most first
    scores: dict[str, int] = field(default_factory=dict)  # bin -> learners


def class_report(graded: list, catalog: Catalog, top: int = 5) -> list[ProblemReport]:
    """`graded`: (GradeRow, document) pairs, as grade_all returns them."""
    by_problem: dict[str, list] = {}
    for row, doc in graded:
        by_problem.setdefault(row.problem, []).append((row, doc))
    reports = []
    for pid in sorted(by_problem, key=lambda p: int(p.removeprefix("problem") or 0)
                      if p.removeprefix("problem").isdigit() else 0):
        items = by_problem[pid]
        titles = _mistake_titles(catalog, pid)
        diagnosed = Counter(r.diagnosis for r, _ in items if r.diagnosis)
        failing = Counter(name for r, _ in items for name in r.failed_checks.split(";") if name)
        scores = Counter(_bin(r.score) for r, _ in items if r.status != "error")
        reports.append(ProblemReport(
            problem_id=pid, title=titles.get("", pid), learners=len(items),
            passed=sum(r.status == "pass" for r, _ in items),
            errors=sum(r.status == "error" for r, _ in items),
            mistakes=[MistakeCount(m, titles.get(m, m), n) for m, n in diagnosed.most_common()],
            failing_checks=failing.most_common(top),
            scores={b: scores.get(b, 0) for b in BINS}))
    return reports


def write_mistakes_csv(reports: list[ProblemReport], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["problem", "mistake", "title", "learners", "of"])
        for report in reports:
            for m in report.mistakes:
                writer.writerow([report.problem_id, m.mistake_id, m.title, m.learners,
                                 report.learners])


def _mistake_titles(catalog: Catalog, problem_id: str) -> dict[str, str]:
    try:
        problem = catalog.get(problem_id)
    except ProblemNotFoundError:
        return {}
    titles = {m.id: m.title["en"] for m in problem.mistakes}
    titles[""] = problem.title["en"]
    return titles


def _bin(score: float) -> str:
    if score >= 1.0:
        return BINS[4]
    return BINS[min(3, int(score * 4))]
