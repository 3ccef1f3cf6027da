"""Grading a filled answer sheet: one check per question, each with its explanation."""

from __future__ import annotations

import math
import re
import time
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from attn_practice.grader.catalog import Kind, Problem
from attn_practice.grader.quiz.freetext import sentences
from attn_practice.grader.quiz.patterns import read_point
from attn_practice.grader.quiz.schema import SELF_TABLE, Answer, KeyPoint, Question, load_quiz
from attn_practice.grader.results import CheckResult, FailureKind, Status, SubmissionResult


@dataclass
class QuizCheck(CheckResult):
    """One question's result; text questions also carry what the report shows beside it."""

    scoring: str = "auto"  # "auto": verified by the grader; "self": the learner's own marks
    answer: str = ""  # text questions: the answer as written
    model_answer: str = ""  # self-assessed questions: shown to compare with
    key_points: list[dict[str, Any]] = field(default_factory=list)  # id, label, required, state

    @property
    def verified(self) -> bool:
        """Passed, and checked by the grader rather than taken on the learner's word."""
        return self.status is Status.PASS and self.scoring == "auto"


def grade_quiz(problem: Problem, path: Path, source: bytes, lang: str = "en") -> SubmissionResult:
    started = time.perf_counter()
    result = SubmissionResult.new(problem.id, path, source, kind=Kind.QUIZ)
    quiz = load_quiz(problem)
    try:
        answers = tomllib.loads(source.decode("utf-8"))
    except UnicodeDecodeError:
        result.message = "the answer sheet is not UTF-8 text; save it as UTF-8"
        return result
    except tomllib.TOMLDecodeError as err:
        result.message = f"the answer sheet is not valid TOML: {err}"
        result.next_step = (f"Fix that line, or start over: attn-practice start {problem.id} --force "
                            "(your sheet is backed up).")
        return result
    marks = answers.get(SELF_TABLE)
    marks = marks if isinstance(marks, dict) else {}
    for q in quiz.questions:
        result.checks.append(_grade_question(q, quiz.key[q.id], answers.get(q.id),
                                             marks.get(q.id), lang))
    result.status = Status.PASS if all(c.status is Status.PASS for c in result.checks) \
        else Status.FAIL
    result.timing.total_seconds = round(time.perf_counter() - started, 4)
    unmarked = [c.name for c in result.checks if isinstance(c, QuizCheck) and c.scoring == "self"
                and c.status is not Status.PASS and "not marked yet" in c.message]
    if result.status is Status.PASS:
        result.next_step = "Read the explanations above; they are the point of the quiz."
    elif unmarked:
        result.next_step = (f"Compare your answer to {', '.join(unmarked)} with the model answer "
                            f"above and mark the key points you covered: in your sheet, under "
                            f"[{SELF_TABLE}], e.g. {unmarked[0]} = [\"{_first_point(quiz, unmarked[0])}\"]"
                            f"; then submit again (or answer with `attn-practice quiz "
                            f"{problem.id}`, which asks).")
    else:
        result.next_step = (f"Fix the questions marked x and submit again; `attn-practice hint "
                            f"{problem.id}` gives a nudge.")
    return result


def _first_point(quiz: Any, qid: str) -> str:
    return quiz.key[qid].key_points[0].id


def _grade_question(q: Question, a: Answer, given: Any, marks: Any, lang: str) -> QuizCheck:
    check = QuizCheck(name=q.id, description=" ".join(q.prompt[lang].split()),
                      status=Status.FAIL, kind=FailureKind.MISMATCH,
                      explanation=a.explanation[lang], scoring=q.scoring)
    if q.scoring == "self":
        check.model_answer = a.model_answer[lang]
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
    elif q.scoring == "self":
        ok, check.message = _self(q, a, given, marks, lang, check)
    else:
        ok, check.message = _text(a, given, lang, check)
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


MAX_ANSWER = 3000  # characters: the questions ask for a sentence or two
TOO_LONG = {"en": "{n} characters is not a sentence or two: keep the answer under {max}",
            "zh": "{n} 个字符不是一两句话：请把回答控制在 {max} 个字符以内"}


def _too_long(given: str, lang: str) -> str | None:
    return TOO_LONG[lang].format(n=len(given), max=MAX_ANSWER) if len(given) > MAX_ANSWER else None


def _text(a: Answer, given: Any, lang: str, check: QuizCheck) -> tuple[bool, str]:
    if not isinstance(given, str):
        return False, "answer in words, as a string"
    check.answer = given.strip()
    if _too_long(given, lang):
        return False, _too_long(given, lang) or ""
    reading = read_answer(a, given)
    check.key_points = [{"id": p.id, "label": p.label[lang], "required": p.required,
                         "state": reading.state(p)} for p in a.key_points]
    if not reading.prose:
        return False, NOT_PROSE[lang]
    covered = [p for p in a.key_points if reading.state(p) == "covered"]
    opposite = [p for p in a.key_points if reading.state(p) == "contradicted"]
    missing = [p for p in a.key_points if p.required and p not in covered and p not in opposite]
    ok = not opposite and not missing and len(covered) >= a.min_points
    said = ", ".join(p.label[lang] for p in covered) or "none of the key points"
    message = f"covers: {said}"
    if opposite:
        message += "; says the opposite of: " + ", ".join(p.label[lang] for p in opposite)
    if not ok:
        left = [p for p in a.key_points if p not in covered and p not in opposite]
        if left:
            message += "; missing: " + ", ".join(p.label[lang] for p in left)
    return ok, message


@dataclass
class Reading:
    prose: bool
    states: dict[str, str]

    def state(self, point: KeyPoint) -> str:
        return self.states[point.id]


def read_answer(a: Answer, text: str) -> Reading:
    """Which key points the answer states (covered), states the opposite of (contradicted, also
    when it says both), or leaves out (missing)."""
    parsed = sentences(text)
    states = {}
    for point in a.key_points:
        evidence = read_point(point.patterns, parsed, a.subjects, a.topic)
        states[point.id] = ("contradicted" if evidence.contradicted else
                            "covered" if evidence.affirmed else "missing")
    return Reading(any(s.prose for s in parsed), states)


def _self(q: Question, a: Answer, given: Any, marks: Any, lang: str,
          check: QuizCheck) -> tuple[bool, str]:
    """A self-assessed answer: the learner's own marks decide, once the answer is prose and
    says the opposite of no point it marks (the two things the grader reads reliably)."""
    check.scoring = "self"
    check.model_answer = a.model_answer[lang]
    if not isinstance(given, str):
        return False, "answer in words, as a string"
    check.answer = given.strip()
    if _too_long(given, lang):
        return False, _too_long(given, lang) or ""
    if isinstance(marks, str):
        marks = [m for m in re.split(r"[\s,]+", marks) if m]
    marked = {str(m).strip().lower() for m in marks} if isinstance(marks, list) else set()
    ids = {p.id for p in a.key_points}
    check.key_points = [{"id": p.id, "label": p.label[lang], "required": p.required,
                         "state": "marked" if p.id in marked else "not marked"}
                        for p in a.key_points]
    if not any(s.prose for s in sentences(given)):
        return False, NOT_PROSE[lang]
    if marks is None or not marked:
        return False, (f"self-assessed, not marked yet: compare your answer with the model "
                       f"answer, then list the key points it covers ([{SELF_TABLE}] {q.id} = "
                       f"[...] in your sheet)")
    unknown = marked - ids
    if unknown:
        return False, (f"unknown key point(s) {', '.join(sorted(unknown))}; the ids are "
                       f"{', '.join(p.id for p in a.key_points)}")
    reading = read_answer(a, given)  # what the grader can tell reliably: a negated point
    opposite = [p for p in a.key_points if p.id in marked and reading.state(p) == "contradicted"]
    for point in check.key_points:
        if reading.states[point["id"]] == "contradicted":
            point["state"] += ", but the answer says the opposite"
    if opposite:
        return False, ("self-assessed: you marked " + ", ".join(p.label[lang] for p in opposite)
                       + ", but your answer says the opposite; a negated point is no credit")
    left = [p for p in a.key_points if p.required and p.id not in marked]
    ok = not left and len(marked) >= a.min_points
    said = ", ".join(p.label[lang] for p in a.key_points if p.id in marked)
    if ok:
        return True, f"self-assessed (not checked by the grader): you marked {said}"
    missing = left or [p for p in a.key_points if p.id not in marked]
    return False, ("self-assessed: by your own marks, missing: "
                   + ", ".join(p.label[lang] for p in missing))


NOT_PROSE = {"en": "this reads as a list of terms, not as an answer: say it in a sentence or two",
             "zh": "这像是词语的罗列，不是回答：请用一两句完整的话来说"}


def grade_question(q: Question, a: Answer, given: Any, lang: str) -> QuizCheck:
    """One answer against the key (a follow-up question: no self-marks)."""
    return _grade_question(q, a, given, None, lang)
