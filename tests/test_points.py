"""Points per check: problem.toml [points], checked by the catalog and by validate, and the
same in every output format."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from attn_practice.grader.catalog import Catalog
from attn_practice.grader.engine import grade
from attn_practice.grader.points import Points, scale
from attn_practice.grader.quiz import key_sheet
from attn_practice.grader.render import platforms
from attn_practice.grader.render.machine import to_json, to_junit
from attn_practice.grader.validate import validate_problem

FIXTURES = Path(__file__).parent / "fixtures"


def pack_with_points(tmp_path: Path, table: str, pack: str = "pack") -> Catalog:
    """A copy of a fixture pack whose problem1 has `table` at the end of its problem.toml
    (a top-level key goes first: at the end it would belong to the last table)."""
    root = tmp_path / pack
    shutil.copytree(FIXTURES / pack, root)
    toml = root / "problems" / "problem1" / "problem.toml"
    text = toml.read_text(encoding="utf-8")
    text = text + "\n" + table if table.startswith("[") else table + "\n" + text
    toml.write_text(text, encoding="utf-8")
    return Catalog.load(root / "problems")


def test_every_check_is_worth_one_point_unless_named() -> None:
    names = ["test_a[x]", "test_a[y]", "test_b", "test_c"]
    assert Points().assign(names) == [1, 1, 1, 1]
    weighted = Points(weights=(("test_a", 2.0), ("test_a[y]", 5.0), ("test_c", 0.0)))
    assert weighted.assign(names) == [2, 5, 1, 0]  # the full name wins over the test's name
    assert weighted.unknown(names) == []
    assert Points(weights=(("test_d", 1.0), ("test_a[z]", 1.0))).unknown(names) == ["test_d", "test_a[z]"]


def test_a_total_scales_the_points_to_add_up_exactly() -> None:
    points = Points(total=100).assign([f"test_{i}" for i in range(7)])
    assert sum(round(p * 100) for p in points) == 100 * 100
    assert max(points) - min(points) == pytest.approx(0.01)
    assert scale([2, 1, 0], 10) == [6.67, 3.33, 0.0]
    assert scale([0, 0], 10) == [0.0, 0.0]


@pytest.mark.parametrize("table,field", [
    ("[points]\ntest_gradients_flow = \"two\"", "points.test_gradients_flow"),
    ("[points]\ntest_gradients_flow = -1", "points.test_gradients_flow"),
    ("[points]\ntotal = 0", "points.total"),
    ("points = 3", "points"),
])
def test_the_catalog_refuses_malformed_points(tmp_path: Path, table: str, field: str) -> None:
    catalog = pack_with_points(tmp_path, table)
    assert not catalog.problems and catalog.broken[0].error.field == field


def test_validate_refuses_a_key_that_names_no_check(tmp_path: Path) -> None:
    catalog = pack_with_points(tmp_path, "[points]\ntest_gradients_flow = 2\ntest_no_such_check = 1\n")
    report = validate_problem(catalog.get("problem1"))
    assert report.step_ok("files") is False and report.step_ok("reference") is True
    finding = next(f for f in report.findings if not f.ok)
    assert "names no check: test_no_such_check" in finding.detail


def test_the_same_points_appear_in_every_format(tmp_path: Path) -> None:
    catalog = pack_with_points(
        tmp_path, "[points]\ntotal = 20\ntest_matches_the_reference = 2\ntest_gradients_flow = 4\n")
    problem = catalog.get("problem1")
    result = grade(problem, problem.folder / "mistakes" / "no_max_subtraction.py")
    assert result.status.value == "fail" and result.max_points == 20
    expected = {c.name: (c.points, c.max_points) for c in result.checks}
    case = next(v for k, v in expected.items() if k.startswith("test_matches_the_reference["))
    assert expected["test_gradients_flow"][1] == pytest.approx(2 * case[1], abs=0.02)
    assert sum(m for _, m in expected.values()) == pytest.approx(20)

    doc = json.loads(to_json(result))
    assert {t["name"]: (t["points"], t["max_points"]) for t in doc["tests"]} == expected
    assert (doc["points"], doc["max_points"]) == (result.points, 20)
    assert doc["score"] == round(result.points / 20, 4)

    suite = ET.fromstring(to_junit(result)).find("testsuite")
    junit = {case.get("name"): tuple(float(p.get("value")) for p in case.iter("property"))
             for case in suite.iter("testcase")}
    assert junit == expected

    gradescope = json.loads(platforms.render("gradescope", result))
    assert {t["name"]: (t["score"], t["max_score"]) for t in gradescope["tests"]} == expected
    assert gradescope["score"] == result.points

    prairielearn = json.loads(platforms.render("prairielearn", result))
    assert {t["name"]: (t["points"], t["max_points"]) for t in prairielearn["tests"]} == expected
    assert prairielearn["score"] == round(result.points / 20, 4)

    classroom = json.loads(platforms.render("classroom", result))
    assert {t["name"]: t["score"] for t in classroom["tests"]} == {k: v[0] for k, v in expected.items()}
    assert classroom["max_score"] == 20


def test_an_ungradable_attempt_is_still_worth_the_problem_s_points(tmp_path: Path) -> None:
    """With no check run, the points come from the hidden tests collected without an attempt."""
    catalog = pack_with_points(tmp_path, "[points]\ntest_gradients_flow = 4\n")
    problem = catalog.get("problem1")
    broken = tmp_path / "attempt.py"
    broken.write_text("def masked_softmax(scores, mask)\n    return scores\n")
    assert grade(problem, broken).possible_points is None  # a terminal need not wait for it
    result = grade(problem, broken, points_when_ungradable=True)
    assert result.status.value == "error" and result.error_kind == "syntax"
    reference = grade(problem, problem.solution_path)
    assert result.max_points == reference.max_points == reference.total + 3
    assert json.loads(platforms.render("classroom", result))["max_score"] == reference.max_points


def test_a_quiz_is_one_point_per_question_unless_configured(tmp_path: Path) -> None:
    catalog = pack_with_points(tmp_path, "[points]\nq1 = 3\n", pack="quizpack")
    quiz = catalog.get("problem1")
    result = grade(quiz, Path("answers.toml"), key_sheet(quiz).encode())
    assert result.status.value == "pass" and result.score == 1
    assert result.max_points == result.total + 2
    assert {c.name: c.max_points for c in result.checks}["q1"] == 3
