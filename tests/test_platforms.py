"""Gradescope, PrairieLearn and GitHub Classroom: the same result in each platform's shape.

tests/golden/platforms/problem5/<scenario>/attempt.py is graded once through the real
sandbox; <platform>.json is the whole document `submit --format <platform>` prints, with
timings and paths masked. Regenerate with ATTN_UPDATE_GOLDEN=1 and read the diff. The
shape rules of each platform are checked apart from the goldens.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from attn_practice.grader.engine import grade
from attn_practice.grader.render import platforms

SCENARIOS = sorted((Path(__file__).parent / "golden" / "platforms" / "problem5").iterdir())
FORMATS = ("gradescope", "prairielearn", "classroom")
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
GRADESCOPE_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format",
                   "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
                   "leaderboard"}
GRADESCOPE_TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output",
                        "output_format", "tags", "visibility", "extra_data"}
_graded: dict[Path, Any] = {}


def graded(scenario: Path, catalog):
    if scenario not in _graded:
        _graded[scenario] = grade(catalog.get("problem5"), scenario / "attempt.py",
                                  points_when_ungradable=True)  # as `submit --format ...` does
    return _graded[scenario]


def render(scenario: Path, fmt: str, catalog) -> dict[str, Any]:
    title = catalog.get("problem5").title_in("en")
    return json.loads(platforms.render(fmt, graded(scenario, catalog), title))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_golden(scenario: Path, fmt: str, catalog) -> None:
    masked = _masked(render(scenario, fmt, catalog), scenario)
    golden = scenario / f"{fmt}.json"
    if os.environ.get("ATTN_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(masked, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert golden.is_file(), "no golden document: run with ATTN_UPDATE_GOLDEN=1 and review it"
    assert masked == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_gradescope_shape(scenario: Path, catalog) -> None:
    doc = render(scenario, "gradescope", catalog)
    result = graded(scenario, catalog)
    assert set(doc) <= GRADESCOPE_KEYS and isinstance(doc["execution_time"], int)
    assert doc["visibility"] in VISIBILITY and doc["stdout_visibility"] in VISIBILITY
    assert doc["score"] == pytest.approx(sum(t["score"] for t in doc["tests"]))
    for test in doc["tests"]:
        assert set(test) <= GRADESCOPE_TEST_KEYS and test["visibility"] in VISIBILITY
        assert test["status"] == ("passed" if test["score"] == test["max_score"] else "failed")
    assert doc["extra_data"]["max_points"] == result.max_points > 0
    if result.status.value == "error":  # ungradable: score 0, the reason in the output
        assert doc["score"] == 0 and doc["tests"] == []
        assert result.message in doc["output"]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_prairielearn_shape(scenario: Path, catalog) -> None:
    doc = render(scenario, "prairielearn", catalog)
    result = graded(scenario, catalog)
    assert 0 <= doc["score"] <= 1 and isinstance(doc["gradable"], bool)
    for test in doc["tests"]:
        assert {"name", "points", "max_points", "message", "output"} <= set(test)
        assert test["points"] in (0, test["max_points"])
    if scenario.name == "syntax-error":  # not a Python file: "invalid, not gradable", no attempt lost
        assert doc["gradable"] is False and "SyntaxError" in doc["format_errors"][0]
    elif scenario.name == "import-error":  # it ran and crashed: graded, score 0
        assert doc["gradable"] is True and doc["score"] == 0 and result.message in doc["message"]
    else:
        assert doc["gradable"] is True and doc["score"] == round(result.score, 4)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_classroom_shape(scenario: Path, catalog) -> None:
    """What classroom-resources/autograding-grading-reporter reads: max_score, and a numeric
    score per test (it adds them up); status pass/fail/error; line_no (0: none)."""
    doc = render(scenario, "classroom", catalog)
    result = graded(scenario, catalog)
    assert doc["version"] == 3 and doc["status"] == result.status.value
    assert doc["max_score"] == result.max_points > 0 and doc["tests"]
    for test in doc["tests"]:
        assert test["status"] in ("pass", "fail", "error")
        assert isinstance(test["score"], (int, float)) and isinstance(test["line_no"], int)
    assert sum(t["score"] for t in doc["tests"]) == pytest.approx(result.points)
    if result.status.value == "error":
        assert [t["name"] for t in doc["tests"]] == ["load"] and result.message in doc["tests"][0]["message"]


def test_printed_output_reaches_the_learner(catalog) -> None:
    wrong = next(p for p in SCENARIOS if p.name == "wrong")
    test = render(wrong, "gradescope", catalog)["tests"][1]
    assert "Printed by your code:\nscores (4, 6)" in test["output"]
    assert render(wrong, "prairielearn", catalog)["tests"][1]["output"].startswith("scores (4, 6)")


def _masked(value: Any, scenario: Path) -> Any:
    """Without what changes from run to run: timings, absolute paths."""
    if isinstance(value, dict):
        return {k: (0 if k in ("execution_time", "duration") else _masked(v, scenario))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, scenario) for v in value]
    if isinstance(value, str):
        return value.replace(str(scenario), "<scenario>")
    return value
