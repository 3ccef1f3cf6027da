"""Quizzes: questions in problems/<id>/quiz.toml, the key in solutions/<id>.toml.

Question types: `single` (one letter), `multiple` (a list of letters), `numeric`
(a number within a tolerance), and `text` (free text scored by the key points it
covers; each key point lists English and Chinese phrasings). A quiz passes when
every choice and numeric answer is right and every text answer covers its
required key points. The learner's answers are a TOML sheet: data, never code,
so grading needs no sandbox.
"""

from __future__ import annotations

import hashlib
import math
from fractions import Fraction
import re
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.catalog import Problem
from grader.errors import ProblemFormatError
from grader.results import CheckResult, FailureKind, Status, SubmissionResult

TYPES = ("single", "multiple", "numeric", "text")
TYPE_LABEL = {
    "en": {"single": "single choice: one letter, e.g. \"b\"",
           "multiple": "multiple choice: every right letter, e.g. [\"a\", \"c\"]",
           "numeric": "a number, e.g. 12, 0.5 or 3/4",
           "text": "free text: a sentence or two, in English or Chinese"},
    "zh": {"single": "单选：填一个字母，如 \"b\"",
           "multiple": "多选：填所有正确的字母，如 [\"a\", \"c\"]",
           "numeric": "数值：如 12、0.5 或 3/4",
           "text": "简答：一两句话，中英文均可"},
}


@dataclass(frozen=True)
class Choice:
    id: str
    text: dict[str, str]


@dataclass(frozen=True)
class KeyPoint:
    id: str
    label: dict[str, str]
    phrases: tuple[str, ...]  # lower-case, English and Chinese
    required: bool


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    prompt: dict[str, str]
    choices: tuple[Choice, ...] = ()
    code: str = ""  # an optional code snippet shown with the prompt (e.g. the guide's)


@dataclass(frozen=True)
class Answer:
    id: str
    explanation: dict[str, str]
    choice: str | None = None
    choices: frozenset[str] = frozenset()
    number: float | None = None
    rel_tol: float = 0.0
    abs_tol: float = 0.0
    key_points: tuple[KeyPoint, ...] = ()
    min_points: int = 0


@dataclass(frozen=True)
class Quiz:
    questions: tuple[Question, ...]
    key: dict[str, Answer] = field(default_factory=dict)


# --- loading ------------------------------------------------------------------------


def load_quiz(problem: Problem, with_key: bool = True) -> Quiz:
    path = problem.folder / "quiz.toml"
    data = _toml(path)
    questions = []
    for i, raw in enumerate(_list(data, "questions", path)):
        where = f"questions[{i}]"
        qid = _str(raw, "id", path, where)
        qtype = _str(raw, "type", path, where)
        if qtype not in TYPES:
            raise ProblemFormatError(path, f"{where}.type", f"is {qtype!r}; one of {', '.join(TYPES)}")
        choices = tuple(Choice(_str(c, "id", path, f"{where}.choices[{j}]"),
                               _lang(c, "text", path, f"{where}.choices[{j}]"))
                        for j, c in enumerate(raw.get("choices", [])))
        if qtype in ("single", "multiple") and len(choices) < 2:
            raise ProblemFormatError(path, f"{where}.choices", "needs at least two choices")
        questions.append(Question(qid, qtype, _lang(raw, "prompt", path, where), choices,
                                  str(raw.get("code", ""))))
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise ProblemFormatError(path, "questions", "two questions share an id")
    key = load_key(problem, questions) if with_key else {}
    return Quiz(tuple(questions), key)


def load_key(problem: Problem, questions: list[Question]) -> dict[str, Answer]:
    path = problem.solution_path
    data = _toml(path)
    by_id = {q.id: q for q in questions}
    key: dict[str, Answer] = {}
    for i, raw in enumerate(_list(data, "answers", path)):
        where = f"answers[{i}]"
        qid = _str(raw, "id", path, where)
        if qid not in by_id:
            raise ProblemFormatError(path, f"{where}.id", f"{qid!r} is not a question of quiz.toml")
        q = by_id[qid]
        explanation = _lang(raw, "explanation", path, where)
        letters = {c.id for c in q.choices}
        if q.type == "single":
            choice = _str(raw, "answer", path, where)
            if choice not in letters:
                raise ProblemFormatError(path, f"{where}.answer", f"{choice!r} is not a choice")
            key[qid] = Answer(qid, explanation, choice=choice)
        elif q.type == "multiple":
            chosen = raw.get("answer")
            if not (isinstance(chosen, list) and chosen and set(chosen) <= letters):
                raise ProblemFormatError(path, f"{where}.answer", "must list choices of the question")
            key[qid] = Answer(qid, explanation, choices=frozenset(chosen))
        elif q.type == "numeric":
            number = raw.get("answer")
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                raise ProblemFormatError(path, f"{where}.answer", "must be a number")
            key[qid] = Answer(qid, explanation, number=float(number),
                              rel_tol=float(raw.get("rel_tol", 0.0)),
                              abs_tol=float(raw.get("abs_tol", 0.0)))
        else:
            points = []
            for j, kp in enumerate(raw.get("key_points", [])):
                kwhere = f"{where}.key_points[{j}]"
                phrases = [p.lower() for p in kp.get("en", []) + kp.get("zh", []) if isinstance(p, str)]
                if not kp.get("zh") or not kp.get("en"):
                    raise ProblemFormatError(path, kwhere, "needs English (en) and Chinese (zh) phrasings")
                points.append(KeyPoint(_str(kp, "id", path, kwhere), _lang(kp, "label", path, kwhere),
                                       tuple(phrases), bool(kp.get("required", True))))
            if not points:
                raise ProblemFormatError(path, f"{where}.key_points", "a text question needs key points")
            required = sum(p.required for p in points)
            key[qid] = Answer(qid, explanation, key_points=tuple(points),
                              min_points=int(raw.get("min_points", required)))
    missing = [q.id for q in questions if q.id not in key]
    if missing:
        raise ProblemFormatError(path, "answers", "no answer for " + ", ".join(missing))
    return key


def _toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ProblemFormatError(path, None, "missing")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ProblemFormatError(path, None, f"not valid TOML: {err}") from err


def _list(data: dict, key: str, path: Path) -> list[dict]:
    value = data.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        raise ProblemFormatError(path, key, "must be a non-empty array of tables")
    return value


def _str(raw: dict, key: str, path: Path, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise ProblemFormatError(path, f"{where}.{key}", "must be a non-empty string")
    return value


def _lang(raw: dict, key: str, path: Path, where: str) -> dict[str, str]:
    value = raw.get(key)
    if not isinstance(value, dict) or not all(isinstance(value.get(x), str) and value.get(x)
                                              for x in ("en", "zh")):
        raise ProblemFormatError(path, f"{where}.{key}", "needs en and zh texts")
    return {"en": value["en"], "zh": value["zh"]}


# --- the answer sheet -------------------------------------------------------------


def answer_sheet(problem: Problem, lang: str = "en") -> str:
    """The blank sheet `start` writes: every question as comments, and an empty answer."""
    quiz = load_quiz(problem, with_key=False)
    title = problem.title_in(lang)
    intro = {
        "en": ("Answer each question below, then run", "or answer interactively"),
        "zh": ("在下面回答每个问题，然后运行", "或交互式作答"),
    }[lang if lang in ("en", "zh") else "en"]
    lines = [f"# {problem.id} · {title}",
             f"# {intro[0]}: attn-practice submit {problem.id}",
             f"# ({intro[1]}: attn-practice quiz {problem.id})", ""]
    for q in quiz.questions:
        lines.append(f"# --- {q.id} ({TYPE_LABEL[lang][q.type]})")
        lines += ["# " + line for line in q.prompt[lang].strip().splitlines()]
        if q.code:
            lines.append("#")
            lines += ["#     " + line for line in q.code.rstrip().splitlines()]
        for c in q.choices:
            lines.append(f"#   {c.id}) {c.text[lang]}")
        blank = {"single": '""', "multiple": "[]", "numeric": '""', "text": '"""\n"""'}[q.type]
        lines.append(f"{q.id} = {blank}")
        lines.append("")
    return "\n".join(lines)


def filled_sheet(problem: Problem, answers: dict[str, Any], lang: str = "en") -> str:
    """The answer sheet with the given answers filled in (from `attn-practice quiz`)."""
    lines = answer_sheet(problem, lang).splitlines()
    out, skip = [], False
    for line in lines:
        if skip:
            skip = False
            continue
        qid = line.split(" = ", 1)[0] if " = " in line and not line.startswith("#") else None
        if qid in answers:
            out.append(f"{qid} = {_toml_value(answers[qid])}")
            skip = line.endswith('"""') and not line.endswith('""""""') and line.count('"""') == 1
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    import json

    return json.dumps(str(value), ensure_ascii=False)


def key_answers(quiz: Quiz) -> dict[str, Any]:
    """The key as answers a learner could write (validate grades them: they must pass)."""
    return {q.id: _right_answer(q, quiz.key[q.id]) for q in quiz.questions}


def _right_answer(q: Question, a: Answer) -> Any:
    if q.type == "single":
        return a.choice
    if q.type == "multiple":
        return sorted(a.choices)
    if q.type == "numeric":
        return a.number
    return " ".join(p.phrases[0] for p in a.key_points)


def key_sheet(problem: Problem) -> str:
    """A sheet filled with the key's answers."""
    return sheet_of(key_answers(load_quiz(problem)))


def sheet_of(answers: dict[str, Any]) -> str:
    return "".join(f"{qid} = {_toml_value(value)}\n" for qid, value in answers.items())


# --- grading --------------------------------------------------------------------------


def grade_quiz(problem: Problem, path: Path, source: bytes, lang: str = "en") -> SubmissionResult:
    started = time.perf_counter()
    result = SubmissionResult(problem.id, Status.ERROR, attempt_path=str(path),
                              attempt_sha256=hashlib.sha256(source).hexdigest(), kind="quiz")
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
    for q in quiz.questions:
        result.checks.append(_grade_question(q, quiz.key[q.id], answers.get(q.id), lang))
    result.status = Status.PASS if all(c.status is Status.PASS for c in result.checks) \
        else Status.FAIL
    result.timing.total_seconds = round(time.perf_counter() - started, 4)
    result.next_step = ("Read the explanations above; they are the point of the quiz."
                        if result.status is Status.PASS else
                        f"Fix the questions marked x and submit again; `attn-practice hint "
                        f"{problem.id}` gives a nudge.")
    return result


def _grade_question(q: Question, a: Answer, given: Any, lang: str) -> CheckResult:
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


# --- validate ----------------------------------------------------------------------------


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
    wrong = [q.id for q in quiz.questions if passes(**{q.id: _wrong_answer(q, quiz.key[q.id])})]
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


def _wrong_answer(q: Question, a: Answer) -> Any:
    if q.type == "single":
        return next(c.id for c in q.choices if c.id != a.choice)
    if q.type == "multiple":
        return [sorted(a.choices)[0]] if len(a.choices) > 1 else \
            [next(c.id for c in q.choices if c.id not in a.choices)]
    if q.type == "numeric":
        return (a.number or 1.0) * 3 + 7
    return "I am not sure."
