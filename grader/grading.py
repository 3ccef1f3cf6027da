"""Grade one attempt at a code problem: static checks, sandbox, hidden tests, diagnosis.

The order matters for speed: the sandbox server starts first, so its torch
import overlaps with this process importing torch and pytest.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from grader.catalog import Kind, Limits, Problem
from grader.errors import ProblemFormatError
from grader.results import Status, SubmissionResult
from grader.sandbox.client import ForkServer, shared_server
from grader.static import attempt_traceback, check_syntax, decode_source, find_forbidden

_INI = Path(__file__).with_name("pytest_hidden.ini")
SANDBOX_ATTEMPT_NAME = "attempt.py"


def grade_code(problem: Problem, attempt: Path, *, source: bytes | None = None,
               server: ForkServer | None = None, limits: Limits | None = None,
               lang: str = "en", diagnose: bool = True) -> SubmissionResult:
    started = time.perf_counter()
    if problem.kind is not Kind.CODE:
        raise ProblemFormatError(problem.folder / "problem.toml", "kind", "is not a code problem")
    server = server or shared_server()
    server.start()  # overlap the sandbox's torch import with ours
    limits = limits or problem.limits
    raw = attempt.read_bytes() if source is None else source
    display = str(attempt)
    result = SubmissionResult(problem.id, Status.ERROR, attempt_path=display,
                              attempt_sha256=hashlib.sha256(raw).hexdigest())

    text, problem_found = decode_source(raw, display)
    tree = None
    if text is not None:
        tree, problem_found = check_syntax(text, display)
    if tree is not None:
        problem_found = find_forbidden(tree, text, display, problem.forbidden)
    if problem_found is not None:
        result.message = problem_found.message
        result.error_frame = problem_found.frame
        result.next_step = _static_next_step(problem_found.kind)
        result.timing.total_seconds = time.perf_counter() - started
        return result
    assert text is not None

    import pytest  # noqa: F401 - heavy: after the sandbox server has been started
    import torch

    # one thread here and one in the sandbox: two cores, no oversubscription, stable timings
    torch.set_num_threads(1)

    from grader.checks import set_tolerances
    from grader.loading import load_trusted_module
    from grader.plugin import GradingPlugin
    from grader.remote import Candidate, CallLog, Sandbox
    from grader.sandbox.client import Budget, Policy

    reference = load_trusted_module(problem.solution_path, "reference solution")
    policy = Policy(
        attempt_name=SANDBOX_ATTEMPT_NAME,
        # absolute: the sandbox resolves paths from its own folder
        hidden_roots=(str(problem.folder.parent.resolve()), str(problem.solutions_dir.resolve())),
        forbidden=problem.forbidden,
        call_seconds=limits.call_seconds, memory_mb=limits.memory_mb,
        output_kb=limits.output_kb, cpu_seconds=limits.submission_seconds,
    )
    budget = Budget(limits.submission_seconds)
    sandbox = Sandbox(server, text.encode("utf-8"), policy, budget)
    log = CallLog()
    try:
        t0 = time.perf_counter()
        session = sandbox.ensure()
        result.timing.sandbox_start_seconds = time.perf_counter() - t0
        result.load_output = sandbox.load_output
        if session is None:
            return _load_failed(result, sandbox, text, display, started)
        missing = [ep.name for ep in problem.entry_points if ep.name not in session.functions]
        if missing:
            sig = problem.entry_points[[e.name for e in problem.entry_points].index(missing[0])]
            result.message = (f"your file defines no function named {missing[0]!r}; "
                              f"this problem asks for {sig.signature}")
            result.next_step = (f"Keep the function names of the stub (`attn-practice reset "
                                f"{problem.id}` restores it, keeping a backup).")
            return _finish(result, started)

        set_tolerances(problem.tolerances)
        plugin = GradingPlugin(problem, Candidate(sandbox, log), reference, log, text, display,
                               SANDBOX_ATTEMPT_NAME)
        t1 = time.perf_counter()
        exit_code, pytest_output = _run_pytest(problem, plugin)
        result.timing.tests_seconds = time.perf_counter() - t1
    finally:
        sandbox.close()

    if plugin.collect_errors or not plugin.results:
        detail = (plugin.collect_errors[0] if plugin.collect_errors
                  else f"pytest exit code {exit_code}: {pytest_output[-1500:]}".strip())
        raise ProblemFormatError(problem.tests_dir, None,
                                 f"the hidden tests could not be collected: {detail}")
    result.checks = plugin.results
    result.status = Status.PASS if all(c.status is Status.PASS for c in result.checks) \
        else Status.FAIL
    if any(c.status is Status.ERROR for c in result.checks):
        bad = next(c for c in result.checks if c.status is Status.ERROR)
        raise ProblemFormatError(problem.tests_dir, bad.name, bad.message)
    if result.status is Status.FAIL and diagnose:
        from grader.diagnose import diagnose as run_diagnosis

        t2 = time.perf_counter()
        result.diagnosis, per_check = run_diagnosis(problem, log, result.checks, reference, lang)
        for check in result.checks:
            check.diagnosis = per_check.get(check.name)
        result.timing.diagnosis_seconds = time.perf_counter() - t2
    result.next_step = _next_step(problem, result)
    return _finish(result, started)


def _run_pytest(problem: Problem, plugin: object) -> tuple[int, str]:
    import pytest

    # rooted at the problems folder, each problem's test modules get their own names
    # (problem5.tests.test_hidden); purging around the run means no problem ever sees
    # another's (or a stale copy of its own) hidden tests in a long-lived process.
    args = [
        str(problem.tests_dir), "-c", str(_INI), "--rootdir", str(problem.folder.parent),
        "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:warnings",
        "-p", "no:unraisableexception",  # its gc passes at exit cost a second per run
        "--import-mode=importlib", "--capture=sys",
    ]
    dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = True  # never write __pycache__ into the problem folder
    sink = io.StringIO()
    _forget_hidden_tests(problem)
    # only our plugin: a learner's or instructor's own pytest plugins must not change grading
    autoload = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            code = int(pytest.main(args, plugins=[plugin]))
        return code, sink.getvalue()
    finally:
        sys.dont_write_bytecode = dont_write
        _forget_hidden_tests(problem)
        if autoload is None:
            os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = autoload


def _forget_hidden_tests(problem: Problem) -> None:
    """Drop every imported module that lives in a problem's tests folder."""
    root = str(problem.folder.parent.resolve())
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None) or ""
        if file.startswith(root) and os.sep + "tests" + os.sep in file[len(root):]:
            del sys.modules[name]


def _load_failed(result: SubmissionResult, sandbox: object, text: str, display: str,
                 started: float) -> SubmissionResult:
    err = sandbox.load_error  # type: ignore[attr-defined]
    if err is None:
        result.message = "the sandbox could not load your file"
    elif err.kind in ("timeout", "budget"):
        result.message = f"importing your file took too long: {err.message}"
    elif err.kind == "exit":
        result.message = (f"your file called sys.exit({err.message}) while being imported; "
                          "code at the top level of your file runs when it is graded")
    elif err.kind == "crash":
        result.message = f"importing your file ended the process: {err.message}"
    else:
        result.message = f"your file raised {err.type} while being imported: {err.message}"
        result.error_traceback = attempt_traceback(err.type, err.message, err.frames, text,
                                                   display, SANDBOX_ATTEMPT_NAME)
        if result.error_traceback.frames:
            result.error_frame = result.error_traceback.frames[-1]
    result.next_step = ("Fix the error above; code at the top level of your file runs on import, "
                        "so keep work inside the functions.")
    return _finish(result, started)


def _finish(result: SubmissionResult, started: float) -> SubmissionResult:
    result.timing.total_seconds = round(time.perf_counter() - started, 4)
    return result


def _static_next_step(kind: str) -> str:
    return {
        "syntax": "Fix the syntax error at the marked line, then submit again.",
        "forbidden": "Replace the forbidden call with your own computation.",
        "encoding": "Save the file as UTF-8 text, then submit again.",
    }.get(kind, "")


def _next_step(problem: Problem, result: SubmissionResult) -> str:
    if result.status is Status.PASS:
        return (f"Compare with the reference: `attn-practice solution {problem.id}`. "
                "Then try the next problem: `attn-practice list`.")
    first = result.failing[0]
    hint = f"`attn-practice hint {problem.id}`"
    if result.diagnosis:
        return (f"Your attempt behaves like a known mistake: {result.diagnosis.title}. Fix that, "
                f"then submit again (stuck? {hint}).")
    return f"No known mistake matches. Start with the first failing check, {first.name!r}; {hint} gives a nudge."


def with_limits(problem: Problem, **changes: float) -> Limits:
    """The problem's limits with some values replaced (tests and the grade command use this)."""
    return replace(problem.limits, **changes)

