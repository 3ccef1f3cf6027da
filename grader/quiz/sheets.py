"""Answer sheets: the blank one `start` writes, filled ones, and the key as a sheet."""

from __future__ import annotations

from typing import Any

from attn_practice.grader.catalog import Problem
from attn_practice.grader.quiz.schema import TYPE_LABEL, Answer, Question, Quiz, load_quiz


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
    return {q.id: right_answer(q, quiz.key[q.id]) for q in quiz.questions}


def right_answer(q: Question, a: Answer) -> Any:
    """The key's answer as a learner would write it."""
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
