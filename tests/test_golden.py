"""Golden scenarios: an attempt and the result it must get, one folder per scenario.

tests/golden/<problem>/<scenario>/attempt.py is graded through the real sandbox;
expected.json says the verdict, the score, the diagnosis, the kinds of failure,
and a phrase the learner must read; results.json is the whole result document
(`submit --format json`), compared in full with timings and paths masked, as
exercism's test runner does. Nothing here is mocked. After a deliberate change
of the document, regenerate with ATTN_UPDATE_GOLDEN=1 and read the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from dataclasses import replace

from attn_practice.grader.engine import grade
from attn_practice.grader.render.machine import to_json, to_junit

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
SCENARIOS = sorted(p for p in GOLDEN.glob("*/*") if (p / "expected.json").is_file())


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[f"{p.parent.name}/{p.name}" for p in SCENARIOS])
def test_golden(scenario: Path, catalog) -> None:
    expected = json.loads((scenario / "expected.json").read_text())
    problem = catalog.get(scenario.parent.name)
    limits = replace(problem.limits, **expected.get("limits", {}))
    result = grade(problem, scenario / "attempt.py", limits=limits,
                   points_when_ungradable=True)  # as `submit --format json` does

    assert result.status.value == expected["status"], result.message or result.failing[:1]
    assert (result.passed, result.total) == (expected["passed"], expected["total"])
    if "diagnosis" in expected:
        got = result.diagnosis.mistake_id if result.diagnosis else None
        assert got == expected["diagnosis"]
    if "kinds" in expected:
        assert sorted({c.kind.value for c in result.failing}) == expected["kinds"]
    text = result.message or (result.failing[0].message if result.failing else "")
    if "message_contains" in expected:
        assert expected["message_contains"] in text
    if "first_failing" in expected:
        assert result.failing[0].name == expected["first_failing"]
    if "frame_line" in expected:
        assert result.error_frame is not None and result.error_frame.line == expected["frame_line"]
        assert any(n == expected["frame_line"] for n, _ in result.error_frame.lines)
    if "traceback_line" in expected:
        frames = result.failing[0].traceback.frames
        assert frames and frames[-1].line == expected["traceback_line"]
        assert frames[-1].path == str(scenario / "attempt.py")

    # every result renders to the machine formats, and the whole document is pinned
    doc = json.loads(to_json(result))
    assert doc["version"] == 3 and doc["status"] == expected["status"]
    assert "<testsuites" in to_junit(result)
    if expected.get("report"):  # the plain report, as a learner reads it: its layout pinned
        _check_report(result, problem, scenario)
    if expected.get("timing_dependent"):  # which calls the budget cuts short varies by run
        return
    golden = scenario / "results.json"
    masked = _masked(doc, scenario)
    if os.environ.get("ATTN_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(masked, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert golden.is_file(), "no results.json: run with ATTN_UPDATE_GOLDEN=1 and review it"
    assert masked == json.loads(golden.read_text(encoding="utf-8"))


def _masked(value: Any, scenario: Path) -> Any:
    """The document without what changes from run to run: timings, absolute paths."""
    if isinstance(value, dict):
        return {k: (0 if k in ("duration_seconds", "seconds") else
                    {} if k == "timing" else
                    ({"input": v["input"]} if k == "performance" and v else _masked(v, scenario)))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, scenario) for v in value]
    if isinstance(value, str):  # absolute paths differ between checkouts
        return value.replace(str(scenario), "<scenario>").replace(str(REPO), "<repo>")
    return value


def test_each_known_mistake_of_problem5_is_named(catalog) -> None:
    """Submitted as an attempt, every known mistake fails and is diagnosed as itself."""
    problem = catalog.get("problem5")
    for mistake in problem.mistakes:
        result = grade(problem, mistake.path)
        assert result.status.value == "fail", mistake.id
        assert result.diagnosis is not None and result.diagnosis.mistake_id == mistake.id


def _check_report(result, problem, scenario: Path) -> None:
    """Say it once: the diagnosis at the top, each figure once, weights as shaded grids."""
    import io
    import re

    from attn_practice.grader.render.console import render_submission
    from attn_practice.grader.render.terminal import make_console

    console = make_console(True, width=100)
    console.file = io.StringIO()
    render_submission(console, result, f"{problem.id} · {problem.title['en']}", True)
    text = console.file.getvalue().replace(str(scenario), "<scenario>").replace(str(REPO), "<repo>")
    text = re.sub(r"Timing: .*\n(.*s\)\n)?", "Timing: <masked>\n", text)
    text = re.sub(r"Cost on .*?(?=Next: )", "Cost: <measured, masked>\n", text, flags=re.S)
    golden = scenario / "report.txt"
    if os.environ.get("ATTN_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
