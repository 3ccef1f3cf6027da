"""The quiz format: questions in problems/<id>/quiz.toml, the key in solutions/<id>.toml."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from attn_practice.grader.catalog import Problem
from attn_practice.grader.errors import ProblemFormatError
from attn_practice.grader.quiz.patterns import (Alternative, Pattern, PatternError, parse_alternatives,
                                  parse_pattern)

TYPES = ("single", "multiple", "numeric", "text")
SCORINGS = ("auto", "self")  # text questions: scored by the grader, or by the learner's own marks
SELF_TABLE = "self_assessed"  # the answer sheet's table of self-marks
TYPE_LABEL = {
    "en": {"single": "single choice: one letter, e.g. \"b\"",
           "multiple": "multiple choice: every right letter, e.g. [\"a\", \"c\"]",
           "numeric": "a number, e.g. 12, 0.5 or 3/4",
           "text": "free text, scored by the grader: a sentence or two in English or Chinese, "
                   "not a list of terms; a key point you negate earns nothing",
           "self": "free text, self-assessed: a sentence or two in English or Chinese; after "
                   "grading you compare it with a model answer and mark the key points you covered"},
    "zh": {"single": "单选：填一个字母，如 \"b\"",
           "multiple": "多选：填所有正确的字母，如 [\"a\", \"c\"]",
           "numeric": "数值：如 12、0.5 或 3/4",
           "text": "简答，自动评分：一两句话，中英文均可，不要只罗列词语；被你否定的要点不得分",
           "self": "简答，自评：一两句话，中英文均可；评分后对照参考答案，自己标出答到了哪些要点"},
}


@dataclass(frozen=True)
class Choice:
    id: str
    text: dict[str, str]


@dataclass(frozen=True)
class KeyPoint:
    id: str
    label: dict[str, str]
    patterns: tuple[Pattern, ...]  # from the English and the Chinese lists; either may match
    required: bool


@dataclass(frozen=True)
class Review:
    """What a self-assessed question shows once answered: the model answer and the key points."""

    model_answer: dict[str, str]
    key_points: tuple[KeyPoint, ...]


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    prompt: dict[str, str]
    choices: tuple[Choice, ...] = ()
    code: str = ""  # an optional code snippet shown with the prompt (e.g. the guide's)
    scoring: str = "auto"  # text questions: "auto" (the grader) or "self" (the learner's marks)
    # self-assessed questions: reads the key's model answer and key points when asked for
    review: Callable[[], Review] | None = field(default=None, compare=False, repr=False)

    @property
    def label(self) -> str:
        """The key of TYPE_LABEL: the type, or "self" for a self-assessed text question."""
        return "self" if self.type == "text" and self.scoring == "self" else self.type


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
    model_answer: dict[str, str] = field(default_factory=dict)  # text: a right answer, en and zh
    subjects: dict[str, tuple[Alternative, ...]] = field(default_factory=dict)  # text: "@name"
    topic: tuple[Alternative, ...] = ()  # text: a sentence without one of these is off topic


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
        questions.append(parse_question(raw, path, f"questions[{i}]", problem))
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise ProblemFormatError(path, "questions", "two questions share an id")
    key = load_key(problem, questions) if with_key else {}
    return Quiz(tuple(questions), key)


def parse_question(raw: dict[str, Any], path: Path, where: str,
                   problem: Problem | None = None) -> Question:
    """One question table (quiz.toml's [[questions]], problem.toml's [[followups]])."""
    qid = _str(raw, "id", path, where)
    qtype = _str(raw, "type", path, where)
    if qtype not in TYPES:
        raise ProblemFormatError(path, f"{where}.type", f"is {qtype!r}; one of {', '.join(TYPES)}")
    choices = tuple(Choice(_str(c, "id", path, f"{where}.choices[{j}]"),
                           _lang(c, "text", path, f"{where}.choices[{j}]"))
                    for j, c in enumerate(raw.get("choices", [])))
    if qtype in ("single", "multiple") and len(choices) < 2:
        raise ProblemFormatError(path, f"{where}.choices", "needs at least two choices")
    scoring = raw.get("scoring", "auto")
    if scoring not in SCORINGS or (scoring != "auto" and qtype != "text") or \
            (scoring == "self" and problem is None):
        raise ProblemFormatError(path, f"{where}.scoring", f"is {scoring!r}; a text question "
                                 "may say \"auto\" (the default) or \"self\" (quizzes only)")
    if qid == SELF_TABLE:
        raise ProblemFormatError(path, f"{where}.id", f"{SELF_TABLE!r} names the sheet's "
                                 "table of self-marks; choose another id")
    review = (lambda qid=qid: _review(problem, qid)) if scoring == "self" else None
    return Question(qid, qtype, _lang(raw, "prompt", path, where), choices,
                    str(raw.get("code", "")), scoring, review)


def parse_answer(raw: dict[str, Any], q: Question, path: Path, where: str) -> Answer:
    """The answer to question `q` from a table holding `answer` (or `key_points`) and
    `explanation`: a key's [[answers]], or the [[followups]] table that asks it."""
    explanation = _lang(raw, "explanation", path, where)
    letters = {c.id for c in q.choices}
    if q.type == "single":
        choice = _str(raw, "answer", path, where)
        if choice not in letters:
            raise ProblemFormatError(path, f"{where}.answer", f"{choice!r} is not a choice")
        return Answer(q.id, explanation, choice=choice)
    if q.type == "multiple":
        chosen = raw.get("answer")
        if not (isinstance(chosen, list) and chosen and set(chosen) <= letters):
            raise ProblemFormatError(path, f"{where}.answer", "must list choices of the question")
        return Answer(q.id, explanation, choices=frozenset(chosen))
    if q.type == "numeric":
        number = raw.get("answer")
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            raise ProblemFormatError(path, f"{where}.answer", "must be a number")
        return Answer(q.id, explanation, number=float(number),
                      rel_tol=float(raw.get("rel_tol", 0.0)), abs_tol=float(raw.get("abs_tol", 0.0)))
    return _text_answer(raw, q, explanation, path, where)


def _review(problem: Problem, qid: str) -> Review:
    questions = load_quiz(problem, with_key=False).questions
    answer = load_key(problem, list(questions))[qid]
    return Review(answer.model_answer, answer.key_points)


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
        key[qid] = parse_answer(raw, by_id[qid], path, where)
    missing = [q.id for q in questions if q.id not in key]
    if missing:
        raise ProblemFormatError(path, "answers", "no answer for " + ", ".join(missing))
    return key


def _text_answer(raw: dict, q: Question, explanation: dict[str, str], path: Path,
                 where: str) -> Answer:
    subjects = {}
    for name, words in (raw.get("subjects") or {}).items():
        if not (isinstance(words, list) and words and all(isinstance(w, str) and w for w in words)):
            raise ProblemFormatError(path, f"{where}.subjects.{name}", "must list words")
        subjects[name] = tuple(a for w in words for a in parse_alternatives(w))
    topic_words = raw.get("topic", [])
    if isinstance(topic_words, str):
        topic_words = [topic_words]
    if not isinstance(topic_words, list) or not all(isinstance(w, str) and w for w in topic_words):
        raise ProblemFormatError(path, f"{where}.topic", "must list words (\"a|b\" strings)")
    try:
        topic = tuple(a for w in topic_words for a in parse_alternatives(w))
    except PatternError as err:
        raise ProblemFormatError(path, f"{where}.topic", str(err)) from err
    points = []
    for j, kp in enumerate(raw.get("key_points", [])):
        kwhere = f"{where}.key_points[{j}]"
        if not kp.get("zh") or not kp.get("en"):
            raise ProblemFormatError(path, kwhere, "needs English (en) and Chinese (zh) patterns")
        patterns = []
        for text in kp["en"] + kp["zh"]:
            try:
                pattern = parse_pattern(str(text))
            except PatternError as err:
                raise ProblemFormatError(path, kwhere, str(err)) from err
            unknown = pattern.subjects - subjects.keys()
            if unknown:
                raise ProblemFormatError(path, kwhere, f"{text!r} names @{', @'.join(unknown)}, "
                                         "which the answer's subjects do not declare")
            patterns.append(pattern)
        points.append(KeyPoint(_str(kp, "id", path, kwhere), _lang(kp, "label", path, kwhere),
                               tuple(patterns), bool(kp.get("required", True))))
    if not points:
        raise ProblemFormatError(path, f"{where}.key_points", "a text question needs key points")
    if len({p.id for p in points}) != len(points):
        raise ProblemFormatError(path, f"{where}.key_points", "two key points share an id")
    required = sum(p.required for p in points)
    min_points = int(raw.get("min_points", required))
    if not required <= min_points <= len(points):
        raise ProblemFormatError(path, f"{where}.min_points", f"is {min_points}; between the "
                                 f"required points ({required}) and all of them ({len(points)})")
    model = raw.get("model_answer")
    if model is None and q.scoring == "self":
        raise ProblemFormatError(path, f"{where}.model_answer", "a self-assessed question needs "
                                 "a model answer (en and zh) to compare with")
    model_answer = _lang(raw, "model_answer", path, where) if model is not None else explanation
    return Answer(q.id, explanation, key_points=tuple(points), min_points=min_points,
                  model_answer=model_answer, subjects=subjects, topic=topic)


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
