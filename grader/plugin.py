"""The pytest plugin that runs a problem's hidden tests against one attempt.

It provides the fixtures hidden tests use (`candidate`, `reference`, `problem`)
and turns each test's outcome into a `CheckResult`. It never parses pytest's
terminal output.
"""

from __future__ import annotations

import inspect
from types import ModuleType
from typing import Any

import pytest

from attn_practice.grader.catalog import Problem
from attn_practice.grader.checks import CheckFailure
from attn_practice.grader.compare import summarize
from attn_practice.grader.remote import AttemptError, CallLog, CallRecord, Candidate
from attn_practice.grader.results import CallSummary, CheckResult, FailureKind, Status
from attn_practice.grader.sandbox.wire import ErrorKind
from attn_practice.grader.returns import describe, wrong_return
from attn_practice.grader.static import attempt_traceback

_KIND_OF_REMOTE = {
    ErrorKind.EXCEPTION: FailureKind.RAISED,
    ErrorKind.MISSING_FUNCTION: FailureKind.RAISED,
    ErrorKind.TIMEOUT: FailureKind.TIMEOUT,
    ErrorKind.BUDGET: FailureKind.TIMEOUT,
    ErrorKind.CRASH: FailureKind.CRASH,
    ErrorKind.EXIT: FailureKind.CRASH,
    ErrorKind.PROTOCOL: FailureKind.CRASH,
    ErrorKind.FORBIDDEN: FailureKind.FORBIDDEN,
    ErrorKind.VIOLATION: FailureKind.VIOLATION,
    ErrorKind.NOT_PLAIN_DATA: FailureKind.TYPE,
    ErrorKind.WRONG_RETURN: FailureKind.TYPE,
}
_PREFIX = {ErrorKind.TIMEOUT: "Too slow: ", ErrorKind.BUDGET: "Out of time: ",
           ErrorKind.CRASH: "Crashed: ", ErrorKind.EXIT: "Exited: "}
_WITH_TYPE = (ErrorKind.EXCEPTION, ErrorKind.VIOLATION, ErrorKind.FORBIDDEN)


class GradingPlugin:
    def __init__(self, problem: Problem, candidate: Candidate, reference: ModuleType,
                 log: CallLog, source_text: str, display_path: str, attempt_name: str) -> None:
        self._problem, self._candidate, self._reference = problem, candidate, reference
        self.log = log
        self.source_text, self.display_path, self.attempt_name = (
            source_text, display_path, attempt_name)
        self.results: list[CheckResult] = []
        self.collect_errors: list[str] = []

    # -- fixtures for hidden tests ---------------------------------------------------

    @pytest.fixture
    def candidate(self) -> Candidate:
        return self._candidate

    @pytest.fixture
    def reference(self) -> ModuleType:
        return self._reference

    @pytest.fixture
    def problem(self) -> Problem:
        return self._problem

    # -- hooks -------------------------------------------------------------------------

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.collect_errors.append(str(report.longrepr)[-3000:])

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: Any, nextitem: Any) -> Any:
        self.log.current_test = item.name
        yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: Any, call: Any) -> Any:
        outcome = yield
        report = outcome.get_result()
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.results.append(self._check_result(item, call, report))

    # -- building results ------------------------------------------------------------

    def _check_result(self, item: Any, call: Any, report: Any) -> CheckResult:
        name = item.name
        records = self.log.for_test(name)
        result = CheckResult(
            name=name, description=_describe(item), status=Status.PASS,
            seconds=round(report.duration, 4),
            output="".join(self.log.output.get(name, [])),
        )
        if report.passed:
            return result
        exc = call.excinfo.value if call.excinfo else None
        result.status = Status.FAIL
        if records:
            result.call = summarize_call(records[-1])
        if isinstance(exc, AttemptError):
            remote = exc.error
            result.kind = _KIND_OF_REMOTE.get(remote.kind, FailureKind.RAISED)
            result.call = summarize_call(exc.call)
            result.message = _PREFIX.get(remote.kind, "") + (
                f"{remote.type}: {remote.message}" if remote.kind in _WITH_TYPE
                else remote.message)
            result.traceback = attempt_traceback(remote.type, remote.message, remote.frames,
                                                 self.source_text, self.display_path,
                                                 self.attempt_name)
            return result
        answered = [r for r in records if r.outcome is not None and r.outcome.ok]
        wrong = self._wrong_return(answered)
        if isinstance(exc, CheckFailure):
            result.kind, result.message, result.comparison = exc.kind, exc.message, exc.comparison
            result.also = exc.also
        elif isinstance(exc, AssertionError):
            result.kind, result.message = FailureKind.OTHER, str(exc).split("\nassert ")[0]
        elif answered:
            # the test choked on what the attempt returned: the attempt's failure
            result.kind = FailureKind.TYPE
            result.message = wrong or (
                f"the check could not use what {answered[-1].function}() returned: "
                f"{describe(answered[-1].outcome.value)} ({type(exc).__name__}: {exc})")
            return result
        else:
            # raised before the attempt answered anything: the hidden test itself is broken
            # (validate reports it when the reference hits it)
            result.status = Status.ERROR
            result.kind = FailureKind.OTHER
            result.message = (f"the hidden test failed before calling your code "
                              f"({type(exc).__name__}: {exc})")
            return result
        if wrong is not None:  # say what is wrong with the value before what the check saw
            result.kind = FailureKind.TYPE
            result.message = f"{wrong}\n{result.message}"
        return result

    def _wrong_return(self, answered: list[CallRecord]) -> str | None:
        """The first call whose value is not the kind of value the reference returns."""
        from attn_practice.grader.diagnose import replay

        for record in answered:
            expected = replay(self._reference, record)
            if expected.raised is None:
                found = wrong_return(record.function, record.outcome.value, expected.value)
                if found is not None:
                    return found
        return None


def summarize_call(record: CallRecord) -> CallSummary:
    args: list[tuple[str, Any]] = [("", summarize(a)) for a in record.args]
    args += [(k, summarize(v)) for k, v in record.kwargs.items()]
    return CallSummary(record.function, args)


def _describe(item: Any) -> str:
    fn = getattr(item, "function", None)
    doc = inspect.getdoc(fn) if fn is not None else None
    text = doc.split("\n\n")[0].replace("\n", " ").strip() if doc else item.name
    callspec = getattr(item, "callspec", None)
    if callspec is not None and callspec.id:
        text += f" [{callspec.id}]"
    return text
