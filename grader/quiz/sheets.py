"""Answer sheets: the blank one `start` writes, filled ones, and the key as a sheet."""

from __future__ import annotations

import json
from typing import Any

from attn_practice.grader.catalog import Problem
from attn_practice.grader.quiz.schema import SELF_TABLE, TYPE_LABEL, Answer, Question, Quiz, load_quiz

BLANK = {"single": '""', "multiple": "[]", "numeric": '""', "text": '"""\n"""'}
SELF_INTRO = {
    "en": ["Self-assessed questions: after you submit, compare each answer with the model answer",
           "the report shows, and list the key points your answer covers (the report gives their",
           "ids), e.g. {qid} = [\"point-id\"]. Then submit again."],
    "zh": ["自评题：提交后，对照报告中给出的参考答案，在下面列出你的回答答到了哪些要点",
           "（报告中给出要点的 id），例如 {qid} = [\"point-id\"]，然后再次提交。"],
}


def answer_sheet(problem: Problem, lang: str = "en", answers: dict[str, Any] | None = None) -> str:
    """The sheet `start` writes (every question as comments, and an empty answer), or with
    `answers` filled in (from `attn-practice quiz`; self-marks under "self_assessed")."""
    lang = lang if lang in ("en", "zh") else "en"
    answers = answers or {}
    quiz = load_quiz(problem, with_key=False)
    title = problem.title_in(lang)
    intro = {
        "en": ("Answer each question below, then run", "or answer interactively"),
        "zh": ("在下面回答每个问题，然后运行", "或交互式作答"),
    }[lang]
    lines = [f"# {problem.id} · {title}",
             f"# {intro[0]}: attn-practice submit {problem.id}",
             f"# ({intro[1]}: attn-practice quiz {problem.id})", ""]
    for q in quiz.questions:
        lines.append(f"# --- {q.id} ({TYPE_LABEL[lang][q.label]})")
        lines += ["# " + line for line in q.prompt[lang].strip().splitlines()]
        if q.code:
            lines.append("#")
            lines += ["#     " + line for line in q.code.rstrip().splitlines()]
        for c in q.choices:
            lines.append(f"#   {c.id}) {c.text[lang]}")
        value = _toml_value(answers[q.id]) if q.id in answers else BLANK[q.type]
        lines.append(f"{q.id} = {value}")
        lines.append("")
    self_assessed = [q for q in quiz.questions if q.scoring == "self"]
    if self_assessed:
        marks = answers.get(SELF_TABLE) or {}
        lines.append(f"[{SELF_TABLE}]")
        lines += ["# " + line.format(qid=self_assessed[0].id) for line in SELF_INTRO[lang]]
        for q in self_assessed:
            lines.append(f"{q.id} = {_toml_value(list(marks.get(q.id, [])))}")
        lines.append("")
    return "\n".join(lines)


def filled_sheet(problem: Problem, answers: dict[str, Any], lang: str = "en") -> str:
    """The answer sheet with the given answers filled in (from `attn-practice quiz`)."""
    return answer_sheet(problem, lang, answers) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def key_answers(quiz: Quiz, lang: str = "en") -> dict[str, Any]:
    """The key as answers a learner could write (validate grades them: they must pass); a
    self-assessed question's model answer comes with every key point marked."""
    answers: dict[str, Any] = {q.id: _right_answer(q, quiz.key[q.id], lang) for q in quiz.questions}
    marks = {q.id: [p.id for p in quiz.key[q.id].key_points]
             for q in quiz.questions if q.scoring == "self"}
    if marks:
        answers[SELF_TABLE] = marks
    return answers


def _right_answer(q: Question, a: Answer, lang: str) -> Any:
    if q.type == "single":
        return a.choice
    if q.type == "multiple":
        return sorted(a.choices)
    if q.type == "numeric":
        return a.number
    return a.model_answer[lang]


def key_sheet(problem: Problem, lang: str = "en") -> str:
    """A sheet filled with the key's answers."""
    return sheet_of(key_answers(load_quiz(problem), lang))


def sheet_of(answers: dict[str, Any]) -> str:
    """Answers as TOML: one line per question, then the self-marks' table if any."""
    lines = [f"{qid} = {_toml_value(value)}" for qid, value in answers.items()
             if not isinstance(value, dict)]
    for table, values in ((k, v) for k, v in answers.items() if isinstance(v, dict)):
        lines.append(f"[{table}]")
        lines += [f"{qid} = {_toml_value(value)}" for qid, value in values.items()]
    return "\n".join(lines) + "\n"


def right_answer(q: Question, a: Answer, lang: str = "en") -> Any:
    """The key's answer as a learner would write it."""
    return _right_answer(q, a, lang)
