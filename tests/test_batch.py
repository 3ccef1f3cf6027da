"""`grade`: a class folder in, a CSV and one JSON result per learner out."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "problem5"


def test_grade_a_class(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(GOLDEN / "right" / "attempt.py", folder / "alice.py")
    shutil.copy(REPO / "problems" / "problem5" / "mistakes" / "scaled_scores.py", folder / "bob.py")
    shutil.copy(GOLDEN / "syntax-error" / "attempt.py", folder / "carol.py")
    out = tmp_path / "out" / "grades.csv"
    result = CliRunner().invoke(cli.app, ["grade", str(folder), "--problem", "5", "--out", str(out),
                                          "--jobs", "2"])
    assert result.exit_code == 0, result.stdout
    rows = {r["learner"]: r for r in csv.DictReader(out.open())}
    assert rows["alice"]["status"] == "pass" and rows["alice"]["score"] == "1.0"
    assert rows["bob"]["status"] == "fail" and rows["bob"]["diagnosis"] == "scaled-scores"
    assert rows["carol"]["status"] == "error"
    doc = json.loads((tmp_path / "out" / "grades-results" / "bob.json").read_text())
    assert doc["version"] == 3 and doc["diagnosis"]["mistake_id"] == "scaled-scores"
    assert "3 graded: 1 passed, 1 failed, 1 could not be graded" in result.stdout


def test_grade_an_empty_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli.app, ["grade", str(tmp_path), "--problem", "5"])
    assert result.exit_code == 2 and "No .py files" in result.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_forgotten_return_never_stops_the_class(tmp_path: Path, jobs: str) -> None:
    """The issue's class of three: every learner gets a row, and no traceback is printed."""
    folder = tmp_path / "class"
    folder.mkdir()
    right = (REPO / "solutions" / "problem10.py").read_text()
    (folder / "alice.py").write_text(right)
    (folder / "bob.py").write_text(right.replace("    return weights @ v ", "    out = weights @ v "))
    (folder / "carol.py").write_text("def self_attention(:\n")
    out = tmp_path / "grades.csv"
    result = CliRunner().invoke(cli.app, ["grade", str(folder), "--problem", "10", "--out", str(out),
                                          "--jobs", jobs])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    rows = {r["learner"]: r for r in csv.DictReader(out.open())}
    assert [rows[n]["status"] for n in ("alice", "bob", "carol")] == ["pass", "fail", "error"]
    doc = json.loads((tmp_path / "grades-results" / "bob.json").read_text())
    assert all("did you forget `return`?" in t["message"] for t in doc["tests"]
               if t["status"] != "pass")
