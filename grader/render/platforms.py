"""The same result document in each grading platform's own shape.

- Gradescope: the autograder's results.json (gradescope-autograders.readthedocs.io/en/latest/specs/).
- PrairieLearn: an external grader's results.json (prairielearn.readthedocs.io, "External Grading").
- GitHub Classroom: a runner's result for classroom-resources/autograding-grading-reporter
  (Exercism v3 plus `max_score` and a `score` per test).

Every one carries the points of grader.points, so a check is worth the same everywhere.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from attn_practice.grader.catalog import Kind
from attn_practice.grader.points import as_number
from attn_practice.grader.render.machine import error_message, strict_json, test_status, to_json_dict
from attn_practice.grader.render.text import check_text
from attn_practice.grader.results import CheckResult, Status, SubmissionResult

VERDICT = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.ERROR: "ERROR"}
# PrairieLearn's "invalid, not gradable": the file is not a Python file (or TOML sheet) we can
# read at all. Like PrairieLearn's own Python grader, such a submission costs no attempt;
# anything that was read and ran (an import crash, a missing function, a forbidden call) is
# graded, with score 0.
NOT_GRADABLE = ("encoding", "syntax")


def summary_text(result: SubmissionResult, title: str = "") -> str:
    """The verdict, the points, the diagnosis and what to do next, as plain text."""
    head = f"{VERDICT[result.status]}  {result.problem_id}" + (f" · {title}" if title else "")
    lines = [head]
    if result.status is Status.ERROR:
        lines.append("Your attempt could not be graded: " + (error_message(result) or ""))
    else:
        noun = "questions right" if result.kind is Kind.QUIZ else "checks passed"
        lines.append(f"{result.passed}/{result.total} {noun}: {result.points:g} of "
                     f"{result.max_points:g} points ({round(100 * result.score)}%)")
    if result.diagnosis:
        d = result.diagnosis
        lines.append(f"Looks like a known mistake: {d.title} (explains {d.matched} of "
                     f"{d.compared} failing checks)")
        lines.append(d.explanation)
    elif result.status is Status.FAIL and result.common_failure:
        lines.append(f"All {len(result.failing)} failing checks fail the same way: "
                     f"{result.common_failure}")
    if result.next_step:
        lines.append("Next: " + result.next_step)
    return "\n".join(lines)


def check_feedback(result: SubmissionResult, check: CheckResult) -> str:
    """What the learner reads about one check: what was checked, and why it failed."""
    if result.kind is Kind.QUIZ:
        return "\n".join(t for t in (check.description, check.message, check.explanation) if t)
    if check.status is Status.PASS:
        return f"Checked: {check.description}"
    text = check_text(check)
    if check.diagnosis and result.diagnosis and check.diagnosis == result.diagnosis.mistake_id:
        text += f"\nLooks like a known mistake: {result.diagnosis.title}"
    return text


def to_gradescope(result: SubmissionResult, title: str = "") -> dict[str, Any]:
    """Gradescope's results.json: `score` is the points earned; the assignment's own points
    should equal the problem's (`max_points` in extra_data)."""
    tests = []
    for check in result.checks:
        output = check_feedback(result, check)
        if check.output:
            output += "\n\nPrinted by your code:\n" + check.output
        tests.append({
            "name": check.name,
            "score": as_number(check.points),
            "max_score": as_number(check.max_points),
            "status": "passed" if check.status is Status.PASS else "failed",
            "output": output,
            "visibility": "visible",
        })
    output = summary_text(result, title)
    if result.load_output.strip():
        output += "\n\nPrinted while importing your file:\n" + result.load_output
    return {
        "score": as_number(result.points),
        "execution_time": round(result.timing.total_seconds),
        "output": output,
        # plain text everywhere: "simple_format" would read the < and > of check names as HTML
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": _extra(result),
        "tests": tests,
    }


def to_prairielearn(result: SubmissionResult, title: str = "") -> dict[str, Any]:
    """PrairieLearn's external grader results: `score` is a fraction, points per test."""
    gradable = not (result.status is Status.ERROR and result.error_kind in NOT_GRADABLE)
    doc: dict[str, Any] = {
        "gradable": gradable,
        "score": round(result.score, 4),
        "message": summary_text(result, title),
        "output": result.load_output,
        "points": as_number(result.points),
        "max_points": as_number(result.max_points),
        "tests": [{
            "name": check.name,
            "description": check.description,
            "points": as_number(check.points),
            "max_points": as_number(check.max_points),
            "message": check_feedback(result, check),
            "output": check.output,
        } for check in result.checks],
    }
    if not gradable:
        doc["format_errors"] = [error_message(result)]
    return doc


def to_classroom(result: SubmissionResult, title: str = "") -> dict[str, Any]:
    """A GitHub Classroom runner's result: Exercism v3, `max_score`, and a `score` per test
    (the reporter adds up the tests' scores, so every test has one)."""
    doc = to_json_dict(result)
    tests = [{
        "name": check.name,
        "status": test_status(check),
        "message": None if check.status is Status.PASS and result.kind is Kind.CODE
        else check_feedback(result, check),
        "test_code": entry["test_code"],
        "task_id": index,
        "filename": "",
        "line_no": 0,
        "duration": check.seconds,
        "score": as_number(check.points),
        "output": check.output or None,
    } for index, (check, entry) in enumerate(zip(result.checks, doc["tests"]))]
    if result.status is Status.ERROR:  # one test, so that the reporter shows why (and no 0/0)
        frame = result.error_frame
        tests = [{"name": "load", "status": "error", "message": doc["message"],
                  "test_code": "", "task_id": 0, "filename": frame.path if frame else "",
                  "line_no": frame.line if frame else 0, "duration": 0.0, "score": 0}]
    return {
        "version": doc["version"],
        "status": result.status.value,
        "message": doc["message"],  # as in Exercism v3: why it could not be graded, else null
        "max_score": as_number(result.max_points),
        "tests": tests,
    }


def _extra(result: SubmissionResult) -> dict[str, Any]:
    return {
        "problem": result.problem_id,
        "status": result.status.value,
        "points": as_number(result.points),
        "max_points": as_number(result.max_points),
        "passed": result.passed,
        "total": result.total,
        "diagnosis": result.diagnosis.mistake_id if result.diagnosis else None,
        "error_kind": result.error_kind or None,
        "attempt_sha256": result.attempt_sha256,
    }


BUILDERS: dict[str, Callable[[SubmissionResult, str], dict[str, Any]]] = {
    "gradescope": to_gradescope,
    "prairielearn": to_prairielearn,
    "classroom": to_classroom,
}


def render(fmt: str, result: SubmissionResult, title: str = "") -> str:
    """The document for one platform, as JSON text."""
    return json.dumps(strict_json(BUILDERS[fmt](result, title)), indent=2, ensure_ascii=False,
                      allow_nan=False)
