"""Hostile attempts: whatever an attempt does, the grader finishes, explains, and is never fooled.

Each file in tests/redteam/ attacks the grader in one way (its first line says
what the learner must read). For every one: no pass, no traceback from the
grader, a verdict with a reason, done within the submission limit plus a few
seconds, no process left running, no file written outside the sandbox, and the
progress store intact.
"""

from __future__ import annotations

import glob
import re
import sqlite3
import tempfile
import time
from pathlib import Path

import pytest

from grader.api import App
from grader.config import resolve_settings

REDTEAM = Path(__file__).parent / "redteam"
ATTEMPTS = sorted(REDTEAM.glob("*.py"))
CALL_SECONDS, SUBMISSION_SECONDS, MEMORY_MB = 2.0, 8.0, 512
GRACE_SECONDS = 6.0
SPECIAL = {"null_bytes": "null byte", "non_utf8": "not UTF-8"}


def expected_phrase(path: Path) -> str:
    if path.stem in SPECIAL:
        return SPECIAL[path.stem]
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), path
    return first.removeprefix("# expect: ")


def canaries() -> list[str]:
    return glob.glob("/tmp/attn-redteam-canary*")


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=[p.stem for p in ATTEMPTS])
def test_hostile_attempt(attempt: Path, temp_workspace: Path, tmp_path: Path, monkeypatch,
                         no_process_left_under) -> None:
    sandboxes = tmp_path / "sandboxes"  # this test's sandbox folders, and only those
    sandboxes.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(sandboxes))
    app = App(resolve_settings())
    problem = app.problem("problem5")
    app.store.record_submission("problem5", "pass", 1.0, 19, 19, 1.0, "baseline", None)

    started = time.monotonic()
    result = app.submit(_limited(problem), attempt)
    elapsed = time.monotonic() - started

    assert result.status.value != "pass", "a hostile attempt passed"
    reason = result.message + " ".join(c.message + (c.output or "") for c in result.failing)
    assert re.search(expected_phrase(attempt), reason), reason[:2000]
    assert elapsed < SUBMISSION_SECONDS + GRACE_SECONDS, f"took {elapsed:.1f} s"

    no_process_left_under(sandboxes, "a sandbox process outlived its grading")
    assert not list(sandboxes.iterdir()), "a sandbox folder was left behind"
    assert not canaries(), f"the attempt wrote outside its sandbox: {canaries()}"

    with sqlite3.connect(app.store.path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT attempt_sha256 FROM submissions ORDER BY id").fetchall()
    assert [r[0] for r in rows][0] == "baseline" and len(rows) == 2


def _limited(problem):
    from dataclasses import replace

    return replace(problem, limits=replace(problem.limits, call_seconds=CALL_SECONDS,
                                           submission_seconds=SUBMISSION_SECONDS,
                                           memory_mb=MEMORY_MB))

