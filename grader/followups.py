"""Follow-up questions: a problem's `[[followups]]`, asked when an interview ends.

Each is a quiz question (docs/problem-format.md, "Quizzes") with its answer and
explanation in the same table, parsed and graded by the quiz code, so a
follow-up is marked exactly like a quiz answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from attn_practice.grader.catalog import Problem
from attn_practice.grader.errors import ProblemFormatError
from attn_practice.grader.quiz.grading import grade_question
from attn_practice.grader.quiz.schema import Answer, Question, parse_answer, parse_question
from attn_practice.grader.quiz.sheets import right_answer
from attn_practice.grader.quiz.validation import wrong_answer
from attn_practice.grader.results import CheckResult, Status


@dataclass(frozen=True)
class Followup:
    question: Question
    answer: Answer

    @property
    def id(self) -> str:
        return self.question.id


def load_followups(problem: Problem) -> list[Followup]:
    """Every follow-up of the problem, parsed; a malformed one raises ProblemFormatError."""
    path = problem.folder / "problem.toml"
    out = []
    for i, spec in enumerate(problem.followups):
        where = f"followups[{i}]"
        question = parse_question(spec.raw, path, where)
        out.append(Followup(question, parse_answer(spec.raw, question, path, where)))
    return out


def followup(problem: Problem, followup_id: str) -> Followup:
    for f in load_followups(problem):
        if f.id == followup_id:
            return f
    raise ProblemFormatError(problem.folder / "problem.toml", "followups",
                             f"no follow-up is called {followup_id!r} any more")


def pick(problem: Problem, asked_before: int) -> str | None:
    """The follow-up for this interview: they take turns across interviews on one problem."""
    if not problem.followups:
        return None
    return problem.followups[asked_before % len(problem.followups)].id


def grade(f: Followup, given: Any, lang: str) -> CheckResult:
    return grade_question(f.question, f.answer, given, lang)


def check_followups(problem: Problem) -> list[str]:
    """What is wrong with the problem's follow-ups, for `validate`: each must parse, its
    key must pass, and a wrong answer (or a text answer missing a required point) fail."""
    try:
        followups = load_followups(problem)
    except ProblemFormatError as err:
        return [err.detail if err.field is None else f"[{err.field}] {err.detail}"]
    problems = []
    for f in followups:
        for lang in ("en", "zh"):
            if grade(f, right_answer(f.question, f.answer), lang).status is not Status.PASS:
                problems.append(f"{f.id}: the key's own answer fails ({lang})")
        wrong = [wrong_answer(f.question, f.answer)]
        points = f.answer.key_points
        wrong += [" ".join(p.phrases[0] for p in points if p is not point)
                  for point in points if point.required]
        if any(grade(f, w, "en").status is Status.PASS for w in wrong):
            problems.append(f"{f.id}: a wrong answer passes")
    return problems
