"""`validate` for quizzes: the key passes, the blank sheet fails, any one wrong answer fails,
and every sample answer of the free-text questions gets the verdict it is written for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from attn_practice.grader.catalog import Problem
from attn_practice.grader.errors import ProblemFormatError
from attn_practice.grader.quiz.freetext import sentences
from attn_practice.grader.quiz.grading import grade_quiz, read_answer
from attn_practice.grader.quiz.samples import check_samples, load_samples
from attn_practice.grader.quiz.schema import SELF_TABLE, Answer, Question, Quiz, load_quiz
from attn_practice.grader.quiz.sheets import answer_sheet, key_answers, sheet_of
from attn_practice.grader.results import Status


def validate_quiz(problem: Problem, report: Any) -> None:
    """The key passes, the blank sheet fails, a sheet with one wrong answer fails, and the
    sample answers get their verdicts."""
    try:
        quiz = load_quiz(problem)
        samples = load_samples(problem, quiz)
    except ProblemFormatError as err:
        report.add("files", False, str(err))
        return
    report.checks = len(quiz.questions)
    if len(quiz.questions) < 6:
        report.add("files", False, f"{len(quiz.questions)} questions; at least 6 are needed")
    types = {q.type for q in quiz.questions}
    if not {"single", "multiple", "numeric", "text"} <= types:
        report.add("files", False, "a quiz mixes single, multiple, numeric and text questions")
    unproven = _unproven_text_questions(quiz, samples)
    if unproven:
        report.add("files", False, "automatically scored text questions need sample answers "
                   f"(solutions/{problem.id}.samples.toml): " + "; ".join(unproven))

    failed = []
    for lang in ("en", "zh"):
        graded = grade_quiz(problem, Path("key.toml"), sheet_of(key_answers(quiz, lang)).encode(),
                            lang=lang)
        failed += [f"{c.name} ({lang}): {c.message}" for c in graded.failing]
    report.add("reference", not failed, "the key passes, with the model answers in English and "
               "in Chinese" if not failed else "the key fails: " + "; ".join(failed))
    blank = grade_quiz(problem, Path("blank.toml"), answer_sheet(problem).encode())
    report.add("stub", blank.status is not Status.PASS, "the blank sheet fails")
    wrong = _still_passing(problem, quiz)
    report.add("mistakes", not wrong, "a sheet with any one wrong answer fails, and so does a "
               "text answer without a required key point" if not wrong
               else "still passes with a wrong answer to " + ", ".join(wrong))
    if samples:  # right samples are more references; the others are mistakes that must fail
        verdicts = check_samples(problem, quiz, samples)
        for step, kinds, what in (("reference", ("right",), "right sample answers credited"),
                                  ("mistakes", ("negated", "contradicted", "list", "off-topic"),
                                   "negated, contradicted, list and off-topic samples not credited")):
            mine = [v for v in verdicts if v.sample.kind in kinds]
            bad = [v for v in mine if not v.as_expected]
            if mine:
                report.add(step, not bad, f"{len(mine) - len(bad)} of {len(mine)} {what}"
                           + ("" if not bad else ": " + "; ".join(v.describe() for v in bad[:4])
                              + (f" (and {len(bad) - 4} more)" if len(bad) > 4 else "")))
    report.add("repeat", True, "quiz grading reads data only")


def _still_passing(problem: Problem, quiz: Quiz) -> list[str]:
    key = key_answers(quiz)

    def passes(**changed: Any) -> bool:
        sheet = sheet_of({**key, **changed}).encode()
        return grade_quiz(problem, Path("sheet.toml"), sheet).status is Status.PASS

    wrong = [q.id for q in quiz.questions if q.scoring == "auto"  # self: the marks, below
             and passes(**{q.id: _wrong_answer(q, quiz.key[q.id])})]
    for q in (q for q in quiz.questions if q.type == "text"):
        a = quiz.key[q.id]
        for point in (p for p in a.key_points if p.required):
            if q.scoring == "self":  # the model answer, with that point left unmarked
                marks = {**key[SELF_TABLE], q.id: [p.id for p in a.key_points if p is not point]}
                if passes(**{SELF_TABLE: marks}):
                    wrong.append(f"{q.id} (unmarked {point.id})")
            elif passes(**{q.id: _without(a, point)}):
                wrong.append(f"{q.id} (without {point.id})")
    return wrong


def _without(a: Answer, point: Any) -> str:
    """The model answer without the sentences that state `point`."""
    kept = []
    for sentence in sentences(a.model_answer["en"]):
        reading = read_answer(Answer(a.id, a.explanation, key_points=(point,),
                                     subjects=a.subjects, topic=a.topic), sentence.text)
        if reading.state(point) != "covered":
            kept.append(sentence.text + ".")
    return " ".join(kept)


def _unproven_text_questions(quiz: Quiz, samples: list) -> list[str]:
    """Auto-scored text questions without a right sample in each language and a negated,
    a list and an off-topic one."""
    out = []
    for q in quiz.questions:
        if q.type != "text" or q.scoring != "auto":
            continue
        mine = [s for s in samples if s.question == q.id]
        need = [f"right ({lang})" for lang in ("en", "zh")
                if not any(s.kind == "right" and s.lang == lang for s in mine)]
        need += [kind for kind in ("negated", "list", "off-topic") if not any(s.kind == kind for s in mine)]
        if need:
            out.append(f"{q.id} has no {', no '.join(need)} sample")
    return out


def _wrong_answer(q: Question, a: Answer) -> Any:
    if q.type == "single":
        return next(c.id for c in q.choices if c.id != a.choice)
    if q.type == "multiple":
        return [sorted(a.choices)[0]] if len(a.choices) > 1 else \
            [next(c.id for c in q.choices if c.id not in a.choices)]
    if q.type == "numeric":
        return (a.number or 1.0) * 3 + 7
    return "I am not sure."



def wrong_answer(q: Question, a: Answer) -> Any:
    """An answer the key must refuse."""
    return _wrong_answer(q, a)
