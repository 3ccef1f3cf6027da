"""`validate` for quizzes: the key passes, the blank sheet fails, any one wrong answer fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from attn_practice.grader.catalog import Problem
from attn_practice.grader.errors import ProblemFormatError
from attn_practice.grader.quiz.grading import grade_quiz
from attn_practice.grader.quiz.schema import Answer, Question, load_quiz
from attn_practice.grader.quiz.sheets import answer_sheet, key_answers, sheet_of
from attn_practice.grader.results import Status


def validate_quiz(problem: Problem, report: Any) -> None:
    """The key passes, the blank sheet fails, a sheet with one wrong answer fails."""
    try:
        quiz = load_quiz(problem)
    except ProblemFormatError as err:
        report.add("files", False, str(err))
        return
    report.checks = len(quiz.questions)
    if len(quiz.questions) < 6:
        report.add("files", False, f"{len(quiz.questions)} questions; at least 6 are needed")
    types = {q.type for q in quiz.questions}
    if not {"single", "multiple", "numeric", "text"} <= types:
        report.add("files", False, "a quiz mixes single, multiple, numeric and text questions")
    key = key_answers(quiz)

    def passes(**changed: Any) -> bool:
        sheet = sheet_of({**key, **changed}).encode()
        return grade_quiz(problem, Path("sheet.toml"), sheet).status is Status.PASS

    graded = grade_quiz(problem, Path("key.toml"), sheet_of(key).encode())
    report.add("reference", graded.status is Status.PASS,
               "the key passes" if graded.status is Status.PASS else "the key fails: " + "; ".join(
                   f"{c.name}: {c.message}" for c in graded.failing))
    blank = grade_quiz(problem, Path("blank.toml"), answer_sheet(problem).encode())
    report.add("stub", blank.status is not Status.PASS, "the blank sheet fails")
    wrong = [q.id for q in quiz.questions if passes(**{q.id: wrong_answer(q, quiz.key[q.id])})]
    for q in quiz.questions:  # a text answer that leaves out one required key point
        points = quiz.key[q.id].key_points
        for point in (p for p in points if p.required):
            partial = " ".join(p.phrases[0] for p in points if p is not point)
            if passes(**{q.id: partial}):
                wrong.append(f"{q.id} (without {point.id})")
    report.add("mistakes", not wrong, "a sheet with any one wrong answer fails, and so does a "
               "text answer missing a required key point" if not wrong
               else "still passes with a wrong answer to " + ", ".join(wrong))
    report.add("repeat", True, "quiz grading reads data only")


def wrong_answer(q: Question, a: Answer) -> Any:
    """An answer the key must not accept."""
    if q.type == "single":
        return next(c.id for c in q.choices if c.id != a.choice)
    if q.type == "multiple":
        return [sorted(a.choices)[0]] if len(a.choices) > 1 else \
            [next(c.id for c in q.choices if c.id not in a.choices)]
    if q.type == "numeric":
        return (a.number or 1.0) * 3 + 7
    return "I am not sure."
