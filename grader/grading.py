"""Grading one attempt at a code problem, in stages that read top to bottom.

    static checks -> sandbox -> entry points -> hidden tests -> verdict -> diagnosis -> advice

The order matters for speed: the sandbox server starts first, so its torch
import overlaps with this process importing torch and pytest. `grader.engine`
is the entry point for every kind of problem; this module is the code kind.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from attn_practice.grader.catalog import Limits, Problem
from attn_practice.grader.errors import ProblemFormatError
from attn_practice.grader.results import FailureKind, Status, SubmissionResult
from attn_practice.grader.sandbox.server import ForkServer
from attn_practice.grader.sandbox.wire import ErrorKind
from attn_practice.grader.static import attempt_traceback, check_syntax, decode_source, find_forbidden

SANDBOX_ATTEMPT_NAME = "attempt.py"


@dataclass
class _Attempt:
    """What every stage needs to know about the attempt being graded."""

    text: str  # the source, decoded
    display: str  # its path as the learner knows it


def grade_code(problem: Problem, attempt: Path, source: bytes, *, server: ForkServer,
               limits: Limits, lang: str = "en", diagnose: bool = True,
               probe_always: bool = False, measure_cost: bool = True) -> SubmissionResult:
    started = time.perf_counter()
    server.start()  # overlap the sandbox's torch import with ours
    result = SubmissionResult.new(problem.id, attempt, source)
    text = static_checks(problem, source, str(attempt), result)
    if text is None:
        return finish(result, started)
    me = _Attempt(text, str(attempt))

    from attn_practice.grader.hidden import load_reference, run_hidden_tests

    reference = load_reference(problem)
    sandbox = open_sandbox(problem, me, server, limits)
    try:
        t0 = time.perf_counter()
        session = sandbox.ensure()
        result.timing.sandbox_start_seconds = time.perf_counter() - t0
        result.load_output = sandbox.load_output
        if session is None:
            return finish(load_failed(result, sandbox.load_error, me), started)
        if not entry_points_present(problem, session.functions, result):
            return finish(result, started)
        t1 = time.perf_counter()
        run = run_hidden_tests(problem, sandbox, reference, me.text, me.display,
                               SANDBOX_ATTEMPT_NAME)
        result.timing.tests_seconds = time.perf_counter() - t1
        verdict(problem, run.checks, result)
        if result.status is Status.FAIL and diagnose:
            explain(problem, run.log, reference, lang, result)
        if probe_always or (diagnose and result.status is Status.FAIL and not result.diagnosis):
            investigate(problem, run.log, sandbox, reference, lang, result)
        if measure_cost and wants_cost(problem, result):
            cost(problem, run.log, sandbox, server, limits, result)
    finally:
        sandbox.close()
    result.next_step = advice(problem, result)
    return finish(result, started)


# --- the stages -----------------------------------------------------------------------


def static_checks(problem: Problem, source: bytes, display: str,
                  result: SubmissionResult) -> str | None:
    """UTF-8, syntax, forbidden calls. The decoded text, or None (result says why)."""
    text, found = decode_source(source, display)
    if text is not None:
        tree, found = check_syntax(text, display)
        if tree is not None:
            found = find_forbidden(tree, text, display, problem.forbidden)
    if found is None:
        return text
    result.message = found.message
    result.error_kind = found.kind
    result.error_frame = found.frame
    result.next_step = {
        "syntax": "Fix the syntax error at the marked line, then submit again.",
        "forbidden": "Replace the forbidden call with your own computation.",
        "encoding": "Save the file as UTF-8 text, then submit again.",
    }.get(found.kind, "")
    return None


def open_sandbox(problem: Problem, me: _Attempt, server: ForkServer, limits: Limits):
    """A sandbox for this attempt, with the problem's limits (not started yet)."""
    from attn_practice.grader.sandbox.session import Sandbox
    from attn_practice.grader.sandbox.wire import Budget, Policy

    policy = Policy(
        attempt_name=SANDBOX_ATTEMPT_NAME,
        # absolute: the sandbox resolves paths from its own folder
        hidden_roots=(str(problem.folder.parent.resolve()), str(problem.solutions_dir.resolve())),
        forbidden=problem.forbidden,
        call_seconds=limits.call_seconds, memory_mb=limits.memory_mb,
        output_kb=limits.output_kb, cpu_seconds=limits.submission_seconds,
    )
    return Sandbox(server, me.text.encode("utf-8"), policy, Budget(limits.submission_seconds))


def load_failed(result: SubmissionResult, err, me: _Attempt) -> SubmissionResult:
    """The attempt could not even be imported: say why, with its own traceback."""
    result.error_kind = "import"
    if err is None:
        result.message = "the sandbox could not load your file"
    elif err.kind.out_of_time:
        result.message = f"importing your file took too long: {err.message}"
    elif err.kind is ErrorKind.EXIT:
        result.message = (f"your file called sys.exit({err.message}) while being imported; "
                          "code at the top level of your file runs when it is graded")
    elif err.kind is ErrorKind.CRASH:
        result.message = f"importing your file ended the process: {err.message}"
    else:
        result.message = f"your file raised {err.type} while being imported: {err.message}"
        result.error_traceback = attempt_traceback(err.type, err.message, err.frames, me.text,
                                                   me.display, SANDBOX_ATTEMPT_NAME)
        if result.error_traceback.frames:
            result.error_frame = result.error_traceback.frames[-1]
    result.next_step = ("Fix the error above; code at the top level of your file runs on import, "
                        "so keep work inside the functions.")
    return result


def entry_points_present(problem: Problem, functions: list[str], result: SubmissionResult) -> bool:
    for entry in problem.entry_points:
        if entry.name not in functions:
            result.error_kind = "entry_point"
            result.message = (f"your file defines no function named {entry.name!r}; "
                              f"this problem asks for {entry.signature}")
            result.next_step = (f"Keep the function names of the stub (`attn-practice reset "
                                f"{problem.id}` restores it, keeping a backup).")
            return False
    return True


def verdict(problem: Problem, checks: list, result: SubmissionResult) -> None:
    """Pass only if every check passed. A check that errored before calling the attempt is
    the problem's fault, never the learner's: that is a broken problem."""
    broken = next((c for c in checks if c.status is Status.ERROR), None)
    if broken is not None:
        raise ProblemFormatError(problem.tests_dir, broken.name, broken.message)
    result.checks = checks
    result.status = Status.PASS if all(c.status is Status.PASS for c in checks) else Status.FAIL


def explain(problem: Problem, log, reference: ModuleType, lang: str,
            result: SubmissionResult) -> None:
    """Name the known mistake the attempt behaves like, overall and per failing check."""
    from attn_practice.grader.diagnose import diagnose

    t0 = time.perf_counter()
    result.diagnosis, per_check = diagnose(problem, log, result.checks, reference, lang)
    for check in result.checks:
        check.diagnosis = per_check.get(check.name)
    result.timing.diagnosis_seconds = time.perf_counter() - t0


def investigate(problem: Problem, log, sandbox, reference: ModuleType, lang: str,
                result: SubmissionResult) -> None:
    """No known mistake matched: probe the attempt with extra calls and name what they find."""
    if problem.probes is None:
        return
    from attn_practice.grader.probes.run import probe
    from attn_practice.grader.remote import Candidate

    t0 = time.perf_counter()
    failing = [c.name for c in result.failing]
    result.findings = probe(problem, problem.probes, log, Candidate(sandbox, log), reference,
                            failing, lang)
    result.timing.probe_seconds = time.perf_counter() - t0


COST_BLOCKERS = (FailureKind.TYPE, FailureKind.SHAPE, FailureKind.DTYPE, FailureKind.RAISED,
                 FailureKind.CRASH, FailureKind.TIMEOUT, FailureKind.FORBIDDEN,
                 FailureKind.VIOLATION, FailureKind.NOT_FINITE)


def wants_cost(problem: Problem, result: SubmissionResult) -> bool:
    """Cost means something once the checks ran, after a pass or a failure on values alone
    (the shapes right), for a problem that declares its larger input."""
    return problem.cost is not None and result.total > 0 and \
        result.status is not Status.ERROR and all(c.kind not in COST_BLOCKERS for c in result.failing)


def cost(problem: Problem, log, sandbox, server: ForkServer, limits: Limits,
         result: SubmissionResult) -> None:
    """Time and peak memory of the attempt against the reference, on the problem's larger input."""
    from attn_practice.grader.cost import NotMeasured

    t0 = time.perf_counter()
    try:
        result.performance = measure_cost(problem, log, sandbox, server, limits)
    except NotMeasured as why:
        result.cost_note = str(why)
    result.timing.cost_seconds = time.perf_counter() - t0


def measure_cost(problem: Problem, log, sandbox, server: ForkServer, limits: Limits):
    """The attempt's sandbox against a fresh one of the reference (-> Performance | None)."""
    from attn_practice.grader.cost import measure
    from attn_practice.grader.sandbox.session import Sandbox

    reference = Sandbox(server, problem.solution_path.read_bytes(), sandbox.policy, sandbox.budget)
    try:
        return measure(problem, problem.cost, sandbox, reference, log)
    finally:
        reference.close()


def cost_alone(problem: Problem, attempt: Path, source: bytes, result: SubmissionResult, *,
               server: ForkServer, limits: Limits) -> SubmissionResult:
    """The cost stage by itself, in a sandbox of its own, for a result graded without it
    (`watch` shows the report as soon as the checks are done, the cost when measured)."""
    from attn_practice.grader.remote import CallLog

    text = static_checks(problem, source, str(attempt),
                         SubmissionResult.new(problem.id, attempt, source))
    if text is None or not wants_cost(problem, result):
        return result
    sandbox = open_sandbox(problem, _Attempt(text, str(attempt)), server, limits)
    try:
        cost(problem, CallLog(), sandbox, server, limits, result)
    finally:
        sandbox.close()
    return result


def advice(problem: Problem, result: SubmissionResult) -> str:
    if result.status is Status.PASS:
        return (f"Compare with the reference: `attn-practice solution {problem.id}`. "
                "Then try the next problem: `attn-practice list`.")
    hint = f"`attn-practice hint {problem.id}`"
    if result.diagnosis:
        return (f"Your attempt behaves like a known mistake: {result.diagnosis.title}. Fix that, "
                f"then submit again (stuck? {hint}).")
    if result.findings:
        return (f"The probes found: {result.findings[0].title}. Fix that, then submit again "
                f"(stuck? {hint}).")
    first = result.failing[0]
    if result.common_failure:  # the report's header says what it is
        return f"One reason fails every check: fix it, then submit again (stuck? {hint})."
    return (f"No known mistake matches. Start with the first failing check, {first.name!r}; "
            f"{hint} gives a nudge.")


def finish(result: SubmissionResult, started: float) -> SubmissionResult:
    result.timing.total_seconds = round(time.perf_counter() - started, 4)
    return result
