"""Quizzes: the answer sheet, grading of each question type, the interactive command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli
from attn_practice.grader.catalog import Catalog
from attn_practice.grader.quiz import answer_sheet, grade_quiz, key_sheet
from attn_practice.grader.validate import validate_problem

PACK = Path(__file__).parent / "fixtures" / "quizpack" / "problems"
runner = CliRunner()


@pytest.fixture(scope="module")
def quiz():
    return Catalog.load(PACK).get("problem1")


def sheet_with(quiz, **answers: str) -> bytes:
    text = key_sheet(quiz)
    for qid, value in answers.items():
        text = re.sub(rf"(?m)^{qid} = .*$", f"{qid} = {value}", text)
    return text.encode()


def test_the_key_passes_and_the_blank_sheet_fails(quiz) -> None:
    assert grade_quiz(quiz, Path("k"), key_sheet(quiz).encode()).status.value == "pass"
    blank = grade_quiz(quiz, Path("b"), answer_sheet(quiz).encode())
    assert blank.status.value == "fail" and blank.passed == 0
    assert all(c.message == "not answered" and c.explanation for c in blank.checks)


@pytest.mark.parametrize("qid,value,message", [
    ("q1", '"a"', "a is not right"),
    ("q1", '"z"', "answer with one of the letters a, b"),
    ("q2", '["a"]', "1 right one(s) missing"),
    ("q2", '["a", "b", "c"]', "1 chosen that should not be"),
    ("q3", "300", "300 is not right"),
    ("q3", '"lots"', "'lots' is not a number"),
    ("q4", '"because subtracting the maximum makes the softmax run faster"',
     "missing: exp overflows for large scores"),
])
def test_wrong_answers_fail_with_a_reason(quiz, qid: str, value: str, message: str) -> None:
    result = grade_quiz(quiz, Path("s"), sheet_with(quiz, **{qid: value}))
    check = next(c for c in result.checks if c.name == qid)
    assert result.status.value == "fail" and check.status.value == "fail"
    assert message in check.message


@pytest.mark.parametrize("value", ['"256.0"', "255", '"512/2"'])  # strings, fractions, rel_tol 1%
def test_numeric_answers_within_tolerance(quiz, value: str) -> None:
    assert grade_quiz(quiz, Path("s"), sheet_with(quiz, q3=value)).status.value == "pass"


@pytest.mark.parametrize("text", [
    '"exp can overflow to inf for big scores, and subtracting the max leaves softmax unchanged"',
    '"数值太大时 exp 会溢出，减去最大值结果不变"',
])
def test_free_text_in_english_or_chinese(quiz, text: str) -> None:
    assert grade_quiz(quiz, Path("s"), sheet_with(quiz, q4=text)).status.value == "pass"


def test_multiple_choice_accepts_a_string_of_letters(quiz) -> None:
    assert grade_quiz(quiz, Path("s"), sheet_with(quiz, q2='"a, b"')).status.value == "pass"


def test_a_broken_sheet_is_an_error_not_a_crash(quiz) -> None:
    result = grade_quiz(quiz, Path("s"), b'q1 = "b\n')
    assert result.status.value == "error" and "not valid TOML" in result.message


def test_validate_proves_the_quiz(quiz) -> None:
    report = validate_problem(quiz)
    assert report.ok, report.findings


def test_start_writes_the_sheet_and_interactive_quiz_records(temp_workspace: Path) -> None:
    started = runner.invoke(cli.app, ["start", "1", "--problems-dir", str(PACK)])
    assert started.exit_code == 0
    sheet = (temp_workspace / "problem1" / "answers.toml").read_text()
    assert "q4 = " in sheet and "# Why subtract the maximum before exp?" in sheet
    answers = "b\na b\n256\nexp overflows to inf; the max shift keeps the result unchanged\na\n0.5\n"
    result = runner.invoke(cli.app, ["quiz", "1", "--problems-dir", str(PACK)], input=answers)
    assert result.exit_code == 0, result.stdout
    assert "6/6 questions right" in result.stdout
    assert list((temp_workspace / "problem1" / "backups").iterdir())  # the old sheet was kept
    progress = runner.invoke(cli.app, ["progress", "--problems-dir", str(PACK)])
    assert "1/1 problems passed" in progress.stdout


def test_quiz_command_refuses_code_problems() -> None:
    result = runner.invoke(cli.app, ["quiz", "5"])
    assert result.exit_code == 2 and "not a quiz" in result.stderr


def test_quiz_results_as_json_and_junit(quiz) -> None:
    import json
    from xml.etree import ElementTree

    from attn_practice.grader.render.machine import to_json, to_junit

    result = grade_quiz(quiz, Path("s"), sheet_with(quiz, q1='"a"'))
    doc = json.loads(to_json(result))
    assert doc["kind"] == "quiz" and doc["status"] == "fail" and doc["passed"] == 5
    q1 = next(t for t in doc["tests"] if t["name"] == "q1")
    assert q1["status"] == "fail" and q1["message"] == "a is not right" and q1["explanation"]
    suite = ElementTree.fromstring(to_junit(result).encode()).find("testsuite")
    assert suite.get("failures") == "1"
