"""`validate`: prove a problem is well-formed and its hidden tests have teeth.

For each code problem: the files and metadata are complete; the reference passes
every check within the time budget; the untouched stub fails; every known mistake
fails at least one check and is diagnosed as itself; and a second run gives the
same verdict for every check. Attempts run through the real sandbox, exactly as
a learner's would.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from attn_practice.grader.catalog import BrokenProblem, Kind, Problem
from attn_practice.grader.errors import GraderError
from attn_practice.grader.points import base_name
from attn_practice.grader.results import Status, SubmissionResult
from attn_practice.grader.sandbox.server import ForkServer

MIN_HINTS = 3
MIN_MISTAKES = 3
MIN_CHECKS = 10


@dataclass
class Finding:
    step: str  # files | reference | stub | mistakes | repeat | budget | followup | tags
    ok: bool
    detail: str
    gap: bool = False  # ok, but something optional is not written yet (a follow-up, tags)


@dataclass
class ProblemReport:
    problem_id: str
    title: str
    findings: list[Finding] = field(default_factory=list)
    checks: int = 0
    reference_seconds: float = 0.0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)

    def add(self, step: str, ok: bool, detail: str = "", gap: bool = False) -> None:
        self.findings.append(Finding(step, ok, detail, gap))

    def gaps(self, step: str) -> list[Finding]:
        return [f for f in self.findings if f.step == step and f.gap]

    def step_ok(self, step: str) -> bool | None:
        relevant = [f.ok for f in self.findings if f.step == step]
        return all(relevant) if relevant else None


def validate_broken(broken: BrokenProblem) -> ProblemReport:
    report = ProblemReport(broken.id, "(does not load)")
    report.add("files", False, str(broken.error))
    return report


def validate_problem(problem: Problem, server: ForkServer | None = None) -> ProblemReport:
    started = time.perf_counter()
    report = ProblemReport(problem.id, problem.title["en"])
    can_run = _check_files(problem, report)
    if problem.kind is Kind.CODE:
        _check_followups_and_tags(problem, report)
    if problem.kind is Kind.CODE and can_run:
        _check_code(problem, report, server)
    elif problem.kind is Kind.QUIZ and can_run:
        from attn_practice.grader.quiz import load_quiz, validate_quiz

        validate_quiz(problem, report)
        with contextlib.suppress(GraderError):  # a broken quiz.toml is reported by validate_quiz
            _check_points(problem, [q.id for q in load_quiz(problem).questions], report)
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def _check_files(problem: Problem, report: ProblemReport) -> bool:
    """Record what is missing or unfinished; True if the files needed to run checks exist."""
    missing = []
    for lang in ("en", "zh"):
        path = problem.statement_path(lang)
        if not path.is_file() or not path.read_text(encoding="utf-8").strip():
            missing.append(path.name)
    if not problem.stub_path.is_file():
        missing.append(problem.stub_path.name)
    if not problem.solution_path.is_file():
        missing.append(f"solutions/{problem.solution_path.name}")
    if problem.kind is Kind.CODE:
        if not list(problem.tests_dir.glob("test_*.py")):
            missing.append("tests/test_*.py")
        for mistake in problem.mistakes:
            if not mistake.path.is_file():
                missing.append(f"mistakes/{mistake.path.name}")
        listed = {m.path.name for m in problem.mistakes}
        stray = sorted(p.name for p in (problem.folder / "mistakes").glob("*.py")
                       if p.name not in listed and not p.name.startswith("_"))
        if stray:
            report.add("files", False, "mistake files not listed in problem.toml: " + ", ".join(stray))
        if problem.stub_path.is_file() and "TODO" not in problem.stub_path.read_text("utf-8"):
            report.add("files", False, "the stub has no TODO markers")
        if len(problem.mistakes) < MIN_MISTAKES:
            report.add("files", False, f"{len(problem.mistakes)} known mistakes; at least "
                       f"{MIN_MISTAKES} are needed")
    if missing:
        report.add("files", False, "missing: " + ", ".join(missing))
    if len(problem.hints) < MIN_HINTS:
        report.add("files", False, f"{len(problem.hints)} hints; at least {MIN_HINTS} are needed")
    todo = _todo_left(problem)
    if todo:
        report.add("files", False, "TODO(author) left in " + ", ".join(todo))
    if report.step_ok("files") is None:
        report.add("files", True, "complete")
    return not missing


def _check_followups_and_tags(problem: Problem, report: ProblemReport) -> None:
    """Follow-ups and mistake tags are optional: missing ones are a gap, broken ones a failure."""
    from attn_practice.grader.followups import check_followups
    from attn_practice.grader.kinds import check_tags

    if not problem.followups:
        report.add("followup", True, "no follow-up question yet", gap=True)
    else:
        bad = check_followups(problem)
        report.add("followup", not bad, "; ".join(bad) or f"{len(problem.followups)} follow-up(s): "
                   "the key passes, a wrong answer fails")
    bad, untagged = check_tags(problem.mistakes)
    if untagged:
        report.add("tags", True, "no mistake has tags yet", gap=True)
    else:
        report.add("tags", not bad, "; ".join(bad) or "every mistake has a known kind")


def _todo_left(problem: Problem) -> list[str]:
    """Files that still hold a scaffolded placeholder (`TODO(author)`)."""
    paths = [problem.folder / "problem.toml", problem.statement_path("en"),
             problem.statement_path("zh"), problem.solution_path]
    paths += sorted(problem.tests_dir.glob("*.py")) + sorted((problem.folder / "mistakes").glob("*.py"))
    if (problem.folder / "quiz.toml").is_file():
        paths.append(problem.folder / "quiz.toml")
    root = problem.folder.parent.parent
    return [str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in paths
            if p.is_file() and "TODO(author)" in p.read_text(encoding="utf-8")]


def _check_points(problem: Problem, names: list[str], report: ProblemReport) -> None:
    """Every key of [points] names a check or a test, and the checks are worth something."""
    unknown = problem.points.unknown(names)
    if unknown:
        tests = list(dict.fromkeys(base_name(n) for n in names))
        report.add("files", False, "problem.toml [points] names no check: " + ", ".join(unknown)
                   + f" (the tests are {_some(tests)}; a key is a test's name or a check's)")
    elif names and sum(problem.points.assign(names)) <= 0:
        report.add("files", False, "problem.toml [points]: the checks are worth 0 points in all")


def _some(names: list[str], most: int = 5) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _grade(problem: Problem, path: Path, server: ForkServer | None,
           reference: bool = False) -> SubmissionResult:
    """Grade a file of the problem's own. The reference also runs every probe (none may fire)
    and its cost measurement (the declared call must work); the rest need neither."""
    from attn_practice.grader.engine import grade

    return grade(problem, path, server=server, probe_always=reference, measure_cost=reference)


def _check_code(problem: Problem, report: ProblemReport, server: ForkServer | None) -> None:
    first: dict[str, SubmissionResult] = {}
    t0 = time.perf_counter()
    try:
        ref = _grade(problem, problem.solution_path, server, reference=True)
    except GraderError as err:  # e.g. the reference raises, so the hidden tests themselves fail
        report.add("reference", False, f"cannot be graded: {err}")
        return
    report.reference_seconds = round(time.perf_counter() - t0, 2)
    first["reference"] = ref
    report.checks = ref.total
    if ref.checks:
        _check_points(problem, [c.name for c in ref.checks], report)
    if ref.status is Status.PASS:
        report.add("reference", True, f"passes {ref.total}/{ref.total}")
    else:
        why = ref.message or "; ".join(f"{c.name}: {c.message}" for c in ref.failing[:3])
        report.add("reference", False, f"fails: {why}")
    if ref.total and ref.total < MIN_CHECKS:
        report.add("files", False, f"{ref.total} hidden checks; at least {MIN_CHECKS} are needed")
    if problem.probes is not None:  # a probe that fires on the reference is a wrong declaration
        fired = [f.id for f in ref.findings]
        report.add("reference", not fired, "triggers no probe" if not fired
                   else f"triggers probes {', '.join(fired)}: check [probes] in problem.toml")
    if problem.cost is not None and ref.status is Status.PASS:
        report.add("reference", ref.performance is not None,
                   "its [cost] call runs" if ref.performance is not None
                   else "the [cost] call fails on the reference: check [cost] in problem.toml")
    budget = problem.limits.time_budget_seconds
    report.add("budget", ref.timing.tests_seconds <= budget,
               f"hidden tests took {ref.timing.tests_seconds:.2f} s (budget {budget:g} s)")

    stub = _grade(problem, problem.stub_path, server)
    first["stub"] = stub
    report.add("stub", stub.status is not Status.PASS,
               "fails as it should" if stub.status is not Status.PASS else "passes: the tests "
               "cannot tell an unsolved problem from a solved one")

    caught, named, problems = 0, 0, []
    for mistake in problem.mistakes:
        result = _grade(problem, mistake.path, server)
        first[f"mistake:{mistake.id}"] = result
        if result.status is Status.PASS:
            problems.append(f"{mistake.id} passes every check")
            continue
        if not result.failing:  # refused before any hidden check ran (static, import)
            problems.append(f"{mistake.id} fails no hidden check, only before the tests run "
                            f"({result.message}); a known mistake must be caught by a check")
            continue
        caught += 1
        got = result.diagnosis.mistake_id if result.diagnosis else None
        if got != mistake.id:
            problems.append(f"{mistake.id} is diagnosed as {got or 'nothing'}")
        else:
            named += 1
    n = len(problem.mistakes)
    report.add("mistakes", not problems,
               f"{caught}/{n} caught, {named}/{n} diagnosed as themselves"
               + ("; " + "; ".join(problems) if problems else ""))

    differences = []
    for label, before in first.items():
        path = {"reference": problem.solution_path, "stub": problem.stub_path}.get(label)
        if path is None:
            path = next(m.path for m in problem.mistakes if f"mistake:{m.id}" == label)
        again = _grade(problem, path, server)
        if _verdicts(again) != _verdicts(before):
            differences.append(label)
    report.add("repeat", not differences,
               "same verdicts on a second run" if not differences
               else "verdicts changed on a second run: " + ", ".join(differences))


def _verdicts(result: SubmissionResult) -> tuple:
    return (result.status, tuple((c.name, c.status) for c in result.checks),
            result.diagnosis.mistake_id if result.diagnosis else None)

