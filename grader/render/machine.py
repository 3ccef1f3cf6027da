"""Results for other tools: JSON in the Exercism test-runner v3 shape, and JUnit XML."""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import asdict
from typing import Any

from attn_practice.grader.render.text import check_text, frame_lines
from attn_practice.grader.catalog import Kind
from attn_practice.grader.points import as_number
from attn_practice.grader.results import RESULTS_VERSION, CheckResult, FailureKind, Status, SubmissionResult

_ERRORED = {FailureKind.RAISED, FailureKind.TIMEOUT, FailureKind.CRASH, FailureKind.VIOLATION}


def test_status(check: CheckResult) -> str:
    if check.status is Status.PASS:
        return "pass"
    return "error" if check.status is Status.ERROR or check.kind in _ERRORED else "fail"


def error_message(result: SubmissionResult) -> str | None:
    """Why an attempt could not be graded, with its code frames; None if it was graded."""
    if result.status is not Status.ERROR:
        return None
    lines = [result.message]
    frames = result.error_traceback.frames if result.error_traceback else []
    for frame in frames or ([result.error_frame] if result.error_frame else []):
        lines += frame_lines(frame)
    return "\n".join(lines)


def to_json_dict(result: SubmissionResult) -> dict[str, Any]:
    """Exercism v3 fields (version, status, message, tests[]) first, then ours."""
    message = error_message(result)
    tests = []
    for check in result.checks:
        entry: dict[str, Any] = {
            "name": check.name,
            "status": test_status(check),
            "message": None if check.status is Status.PASS else check_text(check),
            "output": check.output or None,
            "test_code": check.call.signature() if check.call else check.description,
            # our fields
            "description": check.description,
            "kind": check.kind.value if check.kind else None,
            "diagnosis": check.diagnosis,
            "duration_seconds": check.seconds,
            "points": as_number(check.points),
            "max_points": as_number(check.max_points),
        }
        if result.kind is Kind.QUIZ:
            entry["message"] = check.message  # quizzes: the feedback on this answer
            entry["explanation"] = check.explanation
            # "auto": checked by the grader; "self": the learner's own marks, never verified
            entry["scoring"] = getattr(check, "scoring", "auto")
            entry["verified"] = check.status is Status.PASS and entry["scoring"] == "auto"
            if getattr(check, "key_points", None):
                entry["answer"] = check.answer
                entry["key_points"] = check.key_points
            if getattr(check, "model_answer", ""):
                entry["model_answer"] = check.model_answer
        if check.status is not Status.PASS:
            entry["details"] = {
                "problem": check.message,
                "call": asdict(check.call) if check.call else None,
                "comparison": asdict(check.comparison) if check.comparison else None,
                "also": [asdict(c) for c in check.also],
                "traceback": asdict(check.traceback) if check.traceback else None,
            }
        tests.append(entry)
    return {
        "version": RESULTS_VERSION,
        "status": result.status.value,
        "message": message,
        "tests": tests,
        "problem": result.problem_id,
        "kind": result.kind.value,
        "score": round(result.score, 4),
        "points": as_number(result.points),
        "max_points": as_number(result.max_points),
        "passed": result.passed,
        "total": result.total,
        "diagnosis": asdict(result.diagnosis) if result.diagnosis else None,
        "findings": [asdict(f) for f in result.findings],
        "performance": asdict(result.performance) if result.performance else None,
        **({"cost_note": result.cost_note} if result.cost_note else {}),
        "error": None if result.status is not Status.ERROR else {
            "message": result.message,
            "kind": result.error_kind or None,
            "frame": asdict(result.error_frame) if result.error_frame else None,
        },
        "next_step": result.next_step,
        **({"self_assessed": [c.name for c in result.checks if getattr(c, "scoring", "") == "self"]}
           if result.kind is Kind.QUIZ else {}),
        "attempt": {"path": result.attempt_path, "sha256": result.attempt_sha256},
        "timing": asdict(result.timing),
    }


def to_json(result: SubmissionResult) -> str:
    return json.dumps(strict_json(to_json_dict(result)), indent=2, ensure_ascii=False,
                      allow_nan=False, default=_jsonable)


def strict_json(value: Any) -> Any:
    """JSON has no NaN or Infinity: such floats become the strings "NaN", "Infinity", "-Infinity"."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: strict_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json(v) for v in value]
    return value


def _jsonable(value: Any) -> Any:
    return str(value)


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str | None) -> str:
    return _XML_BAD.sub("\ufffd", text or "")


def to_junit(result: SubmissionResult, suite_name: str | None = None) -> str:
    name = suite_name or result.problem_id
    failures = sum(1 for c in result.checks if test_status(c) == "fail")
    errors = sum(1 for c in result.checks if test_status(c) == "error")
    if result.status is Status.ERROR:
        errors += 1
    suites = ET.Element("testsuites", name="attn-practice", tests=str(max(result.total, 1)),
                        failures=str(failures), errors=str(errors),
                        time=f"{result.timing.total_seconds:.3f}")
    suite = ET.SubElement(suites, "testsuite", name=name, tests=str(max(result.total, 1)),
                          failures=str(failures), errors=str(errors), skipped="0",
                          time=f"{result.timing.tests_seconds:.3f}")
    props = ET.SubElement(suite, "properties")
    for key, value in (("problem", result.problem_id), ("status", result.status.value),
                       ("score", f"{result.score:.4f}"), ("passed", str(result.passed)),
                       ("points", f"{result.points:g}"), ("max_points", f"{result.max_points:g}"),
                       ("total", str(result.total)),
                       ("diagnosis", result.diagnosis.mistake_id if result.diagnosis else ""),
                       ("attempt_sha256", result.attempt_sha256)):
        ET.SubElement(props, "property", name=key, value=value)
    if result.status is Status.ERROR:
        case = ET.SubElement(suite, "testcase", classname=name, name="load", time="0")
        err = ET.SubElement(case, "error", message=_xml(result.message), type="AttemptError")
        err.text = _xml(to_json_dict(result)["message"])
    for check in result.checks:
        case = ET.SubElement(suite, "testcase", classname=name, name=check.name,
                             time=f"{check.seconds:.3f}")
        points = ET.SubElement(case, "properties")
        ET.SubElement(points, "property", name="points", value=f"{check.points:g}")
        ET.SubElement(points, "property", name="max_points", value=f"{check.max_points:g}")
        if getattr(check, "scoring", "auto") == "self":  # a quiz answer the learner marked
            ET.SubElement(points, "property", name="scoring", value="self")
        status = test_status(check)
        if status != "pass":
            tag = "failure" if status == "fail" else "error"
            node = ET.SubElement(case, tag, message=_xml(check.message),
                                 type=check.kind.value if check.kind else "failure")
            node.text = _xml(check_text(check) if result.kind is Kind.CODE
                             else f"{check.description}\n{check.message}\n{check.explanation}")
        if check.output:
            ET.SubElement(case, "system-out").text = _xml(check.output)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)
