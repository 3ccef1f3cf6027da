"""The one entry point that grades a submission of any kind.

`submit`, `watch`, `grade` (batch), `validate` and the notebook all come here.
A learner's mistake always ends as a result (status fail or error); only a
problem that is itself broken raises (`ProblemFormatError`).
"""

from __future__ import annotations

from pathlib import Path

from attn_practice.grader.catalog import Kind, Limits, Problem
from attn_practice.grader.points import apply_points
from attn_practice.grader.results import SubmissionResult
from attn_practice.grader.sandbox.server import ForkServer


def grade(problem: Problem, attempt: Path, source: bytes | None = None, *,
          server: ForkServer | None = None, limits: Limits | None = None,
          lang: str = "en", diagnose: bool = True, probe_always: bool = False,
          measure_cost: bool = True, points_when_ungradable: bool = False) -> SubmissionResult:
    """Grade `source` (or the file's bytes) as an attempt at `problem`; every check carries
    its points (problem.toml [points]). `points_when_ungradable`: what the problem is worth
    even when no check could run (machine formats need it; it costs a pytest collection)."""
    raw = attempt.read_bytes() if source is None else source
    if problem.kind is Kind.QUIZ:
        from attn_practice.grader.quiz import grade_quiz

        return apply_points(problem, grade_quiz(problem, attempt, raw, lang=lang),
                            points_when_ungradable)
    from attn_practice.grader.grading import grade_code
    from attn_practice.grader.sandbox.server import shared_server

    result = grade_code(problem, attempt, raw, server=server or shared_server(),
                        limits=limits or problem.limits, lang=lang, diagnose=diagnose,
                        probe_always=probe_always, measure_cost=measure_cost)
    return apply_points(problem, result, points_when_ungradable)


def measure_cost(problem: Problem, attempt: Path, source: bytes, result: SubmissionResult, *,
                 server: ForkServer | None = None, limits: Limits | None = None
                 ) -> SubmissionResult:
    """The cost stage `grade` skipped (measure_cost=False) for the same source: `watch`
    shows the report first, then this fills in `performance` or `cost_note`."""
    from attn_practice.grader.grading import cost_alone
    from attn_practice.grader.sandbox.server import shared_server

    if problem.kind is not Kind.CODE:
        return result
    return cost_alone(problem, attempt, source, result, server=server or shared_server(),
                      limits=limits or problem.limits)
