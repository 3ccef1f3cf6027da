"""Running a problem's hidden tests (pytest, in this trusted process) against one sandbox."""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from attn_practice.grader.catalog import Problem
from attn_practice.grader.errors import ProblemFormatError
from attn_practice.grader.results import CheckResult

_INI = Path(__file__).with_name("pytest_hidden.ini")


@dataclass
class HiddenRun:
    checks: list[CheckResult]
    log: object  # grader.remote.CallLog: every call the tests forwarded, for the diagnosis


def load_reference(problem: Problem) -> ModuleType:
    from attn_practice.grader.loading import load_trusted_module

    return load_trusted_module(problem.solution_path, "reference solution")


def run_hidden_tests(problem: Problem, sandbox: object, reference: ModuleType, text: str,
                     display: str, attempt_name: str) -> HiddenRun:
    """One check per test item; calls reach the attempt through the `candidate` fixture."""
    import torch

    from attn_practice.grader.checks import judging
    from attn_practice.grader.plugin import GradingPlugin
    from attn_practice.grader.remote import CallLog, Candidate

    # one thread here and one in the sandbox: two cores, no oversubscription, stable timings
    torch.set_num_threads(1)
    log = CallLog()
    plugin = GradingPlugin(problem, Candidate(sandbox, log), reference, log, text, display,
                           attempt_name)
    with judging(problem.tolerances):
        exit_code, output = _run_pytest(problem, plugin)
    if plugin.collect_errors or not plugin.results:
        detail = (plugin.collect_errors[0] if plugin.collect_errors
                  else f"pytest exit code {exit_code}: {output[-1500:]}".strip())
        raise ProblemFormatError(problem.tests_dir, None,
                                 f"the hidden tests could not be collected: {detail}")
    return HiddenRun(plugin.results, log)


class _Collector:
    """Records the names of the test items pytest collects, without running them."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.errors: list[str] = []

    def pytest_collectreport(self, report: object) -> None:
        if getattr(report, "failed", False):
            self.errors.append(str(getattr(report, "longrepr", ""))[-3000:])

    def pytest_collection_finish(self, session: object) -> None:
        self.names = [item.name for item in getattr(session, "items", [])]


_collected: dict[tuple, list[str]] = {}


def collect_check_names(problem: Problem) -> list[str]:
    """The problem's checks (test items) by name, in order, without an attempt; cached per
    version of the test files."""
    files = sorted(problem.tests_dir.glob("*.py"))
    key = (str(problem.tests_dir), tuple((f.name, f.stat().st_mtime_ns) for f in files))
    if key not in _collected:
        collector = _Collector()
        code, output = _run_pytest(problem, collector, extra=("--collect-only",))
        if collector.errors or not collector.names:
            detail = collector.errors[0] if collector.errors else f"pytest exit code {code}: {output[-1500:]}"
            raise ProblemFormatError(problem.tests_dir, None,
                                     f"the hidden tests could not be collected: {detail}")
        _collected[key] = collector.names
    return list(_collected[key])


class _GraderAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Hidden tests import `grader.checks` (the authoring API's stable name): that is
    `attn_practice.grader.checks`, the very same module, never a second copy."""

    def find_spec(self, name: str, path: object = None, target: object = None):
        if name != "grader" and not name.startswith("grader."):
            return None
        return importlib.util.spec_from_loader(name, self)

    def create_module(self, spec):  # type: ignore[no-untyped-def]
        return importlib.import_module("attn_practice." + spec.name)

    def exec_module(self, module: object) -> None:
        pass


def _alias_grader() -> None:
    if not any(isinstance(f, _GraderAlias) for f in sys.meta_path):
        sys.meta_path.insert(0, _GraderAlias())


def _run_pytest(problem: Problem, plugin: object, extra: tuple[str, ...] = ()) -> tuple[int, str]:
    import pytest

    _alias_grader()
    # rooted at the problems folder, each problem's test modules get their own names
    # (problem5.tests.test_hidden); purging around the run means no problem ever sees
    # another's (or a stale copy of its own) hidden tests in a long-lived process.
    args = [
        str(problem.tests_dir), "-c", str(_INI), "--rootdir", str(problem.folder.parent),
        "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:warnings",
        "-p", "no:unraisableexception",  # its gc passes at exit cost a second per run
        "--import-mode=importlib", "--capture=sys", *extra,
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
