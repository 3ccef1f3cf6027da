"""Hostile attempts: whatever an attempt does, the grader finishes, explains, and is never fooled.

Each file in tests/redteam/ attacks the grader in one way (its first line says
what the learner must read; a second line `# needs: LAYER` names the kernel layer
that stops it, and the case skips, with the reason, where that layer is missing:
several would do real damage without it). For every one: no pass, no traceback
from the grader, a verdict with a reason, done within the submission limit plus a
few seconds, no process left running, no file created or changed outside the
sandbox (problems/, solutions/ and the workspace are compared byte for byte; /tmp
is shared with other processes, so there the attacks' own marked files are
looked for), and the progress store intact.
"""

from __future__ import annotations

import functools
import glob
import hashlib
import re
import sqlite3
import tempfile
import time
from pathlib import Path

import pytest

from attn_practice.grader.api import App
from attn_practice.grader.config import resolve_settings
from attn_practice.grader.sandbox.doctor import sandbox_report

REPO = Path(__file__).resolve().parent.parent
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


def needed_layer(path: Path) -> str | None:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    if len(lines) > 1 and lines[1].startswith("# needs: "):
        return lines[1].removeprefix("# needs: ").strip()
    return None


@functools.lru_cache(maxsize=1)
def layers_here():
    return sandbox_report((str(REPO / "problems"), str(REPO / "solutions")))


def skip_without(layer_name: str | None) -> None:
    if layer_name is None:
        return
    layer = layers_here().layer(layer_name)
    if layer is None or not layer.active:
        pytest.skip(f"{layer_name} is missing on this machine: "
                    f"{layer.detail if layer else 'unknown layer'}")


def canaries() -> list[str]:
    return glob.glob("/tmp/attn-redteam-canary*") + glob.glob("/tmp/*/attn-redteam-canary*")


def tree_state(root: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every file and folder under root, with a hash of each file's bytes."""
    state = {}
    for path in sorted(root.rglob("*")):
        if path.name.startswith(skip):
            continue
        rel = str(path.relative_to(root))
        state[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    return state


def outside_state(workspace: Path) -> dict[str, dict[str, str]]:
    return {"problems": tree_state(REPO / "problems"),
            "solutions": tree_state(REPO / "solutions"),
            # the grader itself records the submission in the store; its rows are checked apart
            "workspace": tree_state(workspace, skip=("progress.sqlite3",))}


def assert_unchanged(before: dict, after: dict) -> None:
    for area in before:
        added = sorted(set(after[area]) - set(before[area]))
        removed = sorted(set(before[area]) - set(after[area]))
        changed = sorted(k for k in before[area] if k in after[area]
                         and before[area][k] != after[area][k])
        assert not (added or removed or changed), (
            f"{area}/ changed: added {added}, removed {removed}, changed {changed}")


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=[p.stem for p in ATTEMPTS])
def test_hostile_attempt(attempt: Path, temp_workspace: Path, tmp_path: Path, monkeypatch,
                         no_process_left_under) -> None:
    skip_without(needed_layer(attempt))
    sandboxes = tmp_path / "sandboxes"  # this test's sandbox folders, and only those
    sandboxes.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(sandboxes))
    app = App(resolve_settings())
    problem = app.problem("problem5")
    app.store.record_submission("problem5", "pass", 1.0, 19, 19, 1.0, "baseline", None)
    app.start(problem)  # the workspace holds an attempt too: it must not change either
    before = outside_state(temp_workspace)

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
    assert_unchanged(before, outside_state(temp_workspace))

    with sqlite3.connect(app.store.path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT attempt_sha256 FROM submissions ORDER BY id").fetchall()
    assert [r[0] for r in rows][0] == "baseline" and len(rows) == 2
    assert rows[1][0] == result.attempt_sha256


def _limited(problem):
    from dataclasses import replace

    return replace(problem, limits=replace(problem.limits, call_seconds=CALL_SECONDS,
                                           submission_seconds=SUBMISSION_SECONDS,
                                           memory_mb=MEMORY_MB))



def test_a_hostile_first_submission_changes_no_other_result(tmp_path: Path, temp_workspace: Path,
                                                           monkeypatch,
                                                           no_process_left_under) -> None:
    """A class whose first submission attacks: the others' results are exactly as without it."""
    from attn_practice.grader.batch import find_class, grade_all
    from attn_practice.grader.catalog import Catalog
    from attn_practice.grader.engines import InProcess

    skip_without("landlock-files")
    sandboxes = tmp_path / "sandboxes"
    sandboxes.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(sandboxes))
    honest = {"alice": REPO / "tests" / "golden" / "problem5" / "right" / "attempt.py",
              "bob": REPO / "problems" / "problem5" / "mistakes" / "scaled_scores.py",
              "carol": REPO / "problems" / "problem5" / "stub.py"}
    hostile = REDTEAM / "class_takeover.py"

    def grade_class(with_hostile: bool) -> dict[str, tuple]:
        folder = tmp_path / ("class-with" if with_hostile else "class-without")
        folder.mkdir()
        for name, source in honest.items():
            (folder / f"{name}.py").write_bytes(source.read_bytes())
        if with_hostile:
            (folder / "aaa_first.py").write_bytes(hostile.read_bytes())
        catalog = Catalog.load(REPO / "problems")
        subs = find_class(folder, catalog.get("problem5"))  # sorted: the hostile one first
        # one trusted process for the whole class: the case a takeover aims at
        _totals, graded = grade_all(subs, catalog, InProcess(), tmp_path / folder.name / "g.csv")
        return {row.learner: (row.status, row.score, row.passed, row.total,
                              row.failed_checks, row.diagnosis) for row, _doc in graded}

    before = outside_state(temp_workspace)
    clean = grade_class(False)
    attacked = grade_class(True)
    first = attacked.pop("aaa_first")
    assert first[0] != "pass"
    assert attacked == clean
    assert clean["alice"][0] == "pass" and clean["bob"][0] == "fail"
    assert_unchanged(before, outside_state(temp_workspace))
    assert not canaries()
    no_process_left_under(sandboxes, "a sandbox process outlived its grading")
