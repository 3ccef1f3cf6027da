"""Grading a filled answer sheet: one check per question, each with its explanation."""

from __future__ import annotations

import math
import re
import time
import tomllib
from fractions import Fraction
from pathlib import Path
from typing import Any

from attn_practice.grader.catalog import Kind, Problem
from attn_practice.grader.quiz.schema import Answer, Question, load_quiz
from attn_practice.grader.results import CheckResult, FailureKind, Status, SubmissionResult


def grade_quiz(problem: Problem, path: Path, source: bytes, lang: str = "en") -> SubmissionResult:
    started = time.perf_counter()
    result = SubmissionResult.new(problem.id, path, source, kind=Kind.QUIZ)
    quiz = load_quiz(problem)
    try:
        answers = tomllib.loads(source.decode("utf-8"))
    except UnicodeDecodeError:
        result.message = "the answer sheet is not UTF-8 text; save it as UTF-8"
        result.error_kind = "encoding"
        return result
    except tomllib.TOMLDecodeError as err:
        result.message = f"the answer sheet is not valid TOML: {err}"
        result.error_kind = "syntax"
        result.next_step = (f"Fix that line, or start over: attn-practice start {problem.id} --force "
                            "(your sheet is backed up).")
        return result
    for q in quiz.questions:
        result.checks.append(grade_question(q, quiz.key[q.id], answers.get(q.id), lang))
    result.status = Status.PASS if all(c.status is Status.PASS for c in result.checks) \
        else Status.FAIL
    result.timing.total_seconds = round(time.perf_counter() - started, 4)
    result.next_step = ("Read the explanations above; they are the point of the quiz."
                        if result.status is Status.PASS else
                        f"Fix the questions marked x and submit again; `attn-practice hint "
                        f"{problem.id}` gives a nudge.")
    return result


def grade_question(q: Question, a: Answer, given: Any, lang: str) -> CheckResult:
    """One answer against the key: a check with its message and the explanation."""
    check = CheckResult(name=q.id, description=" ".join(q.prompt[lang].split()),
                        status=Status.FAIL, kind=FailureKind.MISMATCH,
                        explanation=a.explanation[lang])
    blank = given is None or given == "" or given == [] or (isinstance(given, str) and not given.strip())
    if blank:
        check.message = "not answered"
        return check
    if q.type == "single":
        ok, check.message = _single(q, a, given)
    elif q.type == "multiple":
        ok, check.message = _multiple(q, a, given)
    elif q.type == "numeric":
        ok, check.message = _numeric(a, given)
    else:
        ok, check.message = _text(a, given, lang)
    if ok:
        check.status, check.kind = Status.PASS, None
    return check


def _single(q: Question, a: Answer, given: Any) -> tuple[bool, str]:
    if not isinstance(given, str) or given.strip().lower() not in {c.id for c in q.choices}:
        return False, f"answer with one of the letters {', '.join(c.id for c in q.choices)}"
    choice = given.strip().lower()
    return choice == a.choice, ("right" if choice == a.choice else f"{choice} is not right")


def _multiple(q: Question, a: Answer, given: Any) -> tuple[bool, str]:
    if isinstance(given, str):
        given = [g for g in re.split(r"[\s,]+", given) if g]
    letters = {c.id for c in q.choices}
    if not isinstance(given, list) or not all(isinstance(g, str) for g in given):
        return False, 'answer with a list of letters, e.g. ["a", "c"]'
    chosen = {g.strip().lower() for g in given}
    if not chosen <= letters:
        return False, f"unknown choice(s): {', '.join(sorted(chosen - letters))}"
    if chosen == a.choices:
        return True, "right"
    wrong, missed = chosen - a.choices, a.choices - chosen
    parts = []
    if wrong:
        parts.append(f"{len(wrong)} chosen that should not be")
    if missed:
        parts.append(f"{len(missed)} right one(s) missing")
    return False, "; ".join(parts)


def _numeric(a: Answer, given: Any) -> tuple[bool, str]:
    try:
        if isinstance(given, bool):
            raise ValueError
        value = float(Fraction(given.strip())) if isinstance(given, str) else float(given)
    except (TypeError, ValueError, ZeroDivisionError):
        return False, f"{given!r} is not a number"
    assert a.number is not None
    ok = math.isclose(value, a.number, rel_tol=a.rel_tol, abs_tol=a.abs_tol)
    return ok, "right" if ok else f"{value:g} is not right"


def _text(a: Answer, given: Any, lang: str) -> tuple[bool, str]:
    if not isinstance(given, str):
        return False, "answer in words, as a string"
    text = " ".join(given.lower().split())
    covered = [p for p in a.key_points if any(_mentions(text, phrase) for phrase in p.phrases)]
    missed_required = [p for p in a.key_points if p.required and p not in covered]
    ok = not missed_required and len(covered) >= a.min_points
    said = ", ".join(p.label[lang] for p in covered) or "none of the key points"
    message = f"covers: {said}"
    missing = [p for p in a.key_points if p not in covered]
    if not ok and missing:
        message += "; missing: " + ", ".join(p.label[lang] for p in missing)
    return ok, message


def _mentions(text: str, phrase: str) -> bool:
    """Chinese phrases match anywhere; English ones at word starts (so 'n' is not in 'and')."""
    if re.search(r"[\u4e00-\u9fff]", phrase):
        return phrase in text
    return re.search(r"(?<![a-z0-9])" + re.escape(phrase), text) is not None
