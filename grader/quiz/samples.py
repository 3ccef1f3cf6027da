"""Sample answers to the free-text questions (solutions/<id>.samples.toml): right ones in
each language, and ones written to game the scorer, each with the verdict it must get.

Each sample is graded as a whole sheet (the key's answers to every other question, in the
sample's language), so only its text decides. A right sample must be credited; a negated,
contradicted, list or off-topic one must not. On a self-assessed question nothing is
verified by the grader: a right sample, with the self-marks it carries, must pass as
self-assessed; a list, a negated or a contradicted one must fail even with every point
marked; an off-topic one with every point marked passes on the learner's word, labelled
self-assessed, never verified.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from attn_practice.grader.catalog import Problem
from attn_practice.grader.errors import ProblemFormatError
from attn_practice.grader.quiz.grading import QuizCheck, grade_quiz
from attn_practice.grader.quiz.schema import SELF_TABLE, Quiz
from attn_practice.grader.quiz.sheets import key_answers, sheet_of
from attn_practice.grader.results import Status

KINDS = ("right", "negated", "contradicted", "list", "off-topic")


@dataclass(frozen=True)
class Sample:
    question: str
    lang: str
    kind: str
    text: str
    covered: tuple[str, ...] | None = None  # self-assessed questions: the learner's marks


@dataclass
class SampleVerdict:
    sample: Sample
    check: QuizCheck

    @property
    def credited(self) -> bool:
        return self.check.status is Status.PASS

    @property
    def as_expected(self) -> bool:
        if self.check.scoring == "self" and self.sample.kind == "off-topic":
            return not self.check.verified  # the learner's marks decide; never verified
        return self.credited == (self.sample.kind == "right")

    def describe(self) -> str:
        s = self.sample
        said = "credited" if self.credited else "not credited"
        return f"{s.question} {s.kind} ({s.lang}) is {said}: {self.check.message} <- {s.text[:60]!r}"


def samples_path(problem: Problem) -> Path:
    return problem.solutions_dir / f"{problem.id}.samples.toml"


def load_samples(problem: Problem, quiz: Quiz, path: Path | None = None) -> list[Sample]:
    path = path or samples_path(problem)
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ProblemFormatError(path, None, f"not valid TOML: {err}") from err
    text_ids = {q.id for q in quiz.questions if q.type == "text"}
    out = []
    for i, raw in enumerate(data.get("samples", [])):
        where = f"samples[{i}]"
        if raw.get("question") not in text_ids:
            raise ProblemFormatError(path, f"{where}.question", "must name a text question")
        if raw.get("lang") not in ("en", "zh"):
            raise ProblemFormatError(path, f"{where}.lang", "must be en or zh")
        if raw.get("kind") not in KINDS:
            raise ProblemFormatError(path, f"{where}.kind", "must be one of " + ", ".join(KINDS))
        if not isinstance(raw.get("text"), str) or not raw["text"].strip():
            raise ProblemFormatError(path, f"{where}.text", "must be a non-empty string")
        covered = raw.get("covered")
        if covered is not None and not (isinstance(covered, list)
                                        and all(isinstance(c, str) for c in covered)):
            raise ProblemFormatError(path, f"{where}.covered", "must list key point ids")
        out.append(Sample(raw["question"], raw["lang"], raw["kind"], raw["text"],
                          tuple(covered) if covered is not None else None))
    return out


def check_samples(problem: Problem, quiz: Quiz, samples: list[Sample]) -> list[SampleVerdict]:
    keys = {lang: key_answers(quiz, lang) for lang in ("en", "zh")}
    verdicts = []
    for s in samples:
        answers = {**keys[s.lang], s.question: s.text}
        if SELF_TABLE in answers:  # a sample without marks claims every point, as a cheat would
            everything = [p.id for p in quiz.key[s.question].key_points]
            answers[SELF_TABLE] = {**answers[SELF_TABLE],
                                   s.question: list(s.covered if s.covered is not None else everything)}
        result = grade_quiz(problem, Path("sample.toml"), sheet_of(answers).encode(), lang=s.lang)
        check = next(c for c in result.checks if c.name == s.question)
        assert isinstance(check, QuizCheck)
        verdicts.append(SampleVerdict(s, check))
    return verdicts
