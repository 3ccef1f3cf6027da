"""Asking a quiz's questions at the terminal (`attn-practice quiz`)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

SELF_TABLE = "self_assessed"  # as in grader.quiz.schema: the sheet's table of self-marks


def ask_all(console: Console, questions, language: str, answers: dict) -> None:
    """Ask every question of a quiz in turn, filling `answers`; then, for self-assessed
    questions, show the model answer and ask which key points the answer covered."""
    from rich.prompt import Prompt

    for n, q in enumerate(questions, start=1):
        own = getattr(q, "scoring", "auto") == "self"
        console.rule(Text(f"{n}/{len(questions)} · {q.id}" + ("  (self-assessed)" if own else "")))
        console.print(Text(q.prompt[language].strip()))
        if q.code:
            console.print(Text(q.code.rstrip(), style="cyan"))
        for c in q.choices:
            console.print(Text(f"  {c.id}) {c.text[language]}"))
        if q.type == "single":
            answers[q.id] = Prompt.ask("Your answer (one letter)",
                                       choices=[c.id for c in q.choices], console=console)
        elif q.type == "multiple":
            raw = Prompt.ask("Your answers (letters separated by spaces)", console=console)
            answers[q.id] = [x for x in raw.replace(",", " ").split() if x]
        elif q.type == "numeric":
            answers[q.id] = Prompt.ask("Your answer (a number)", console=console)
        else:
            hint = "you will compare it with a model answer" if own else "in sentences, not a list"
            answers[q.id] = Prompt.ask(f"Your answer (a sentence or two; {hint})", console=console)
    for q in questions:
        if getattr(q, "scoring", "auto") == "self" and str(answers.get(q.id, "")).strip():
            answers.setdefault(SELF_TABLE, {})[q.id] = _self_marks(console, q, language,
                                                                   answers[q.id])


def _self_marks(console: Console, q, language: str, answer: str) -> list[str]:
    """Show the answer beside the model answer; ask which key points it covered."""
    from rich.prompt import Prompt

    review = q.review()
    console.rule(Text(f"Self-assessment · {q.id}"))
    console.print(Text.assemble(("Your answer: ", "bold"), answer))
    console.print(Text.assemble(("Model answer: ", "bold"), review.model_answer[language]))
    console.print(Text("Key points:", style="bold"))
    for i, point in enumerate(review.key_points, start=1):
        need = "" if point.required else " (optional)"
        console.print(Text(f"  {i}) {point.label[language]}{need}"))
    while True:
        raw = Prompt.ask("Which did your answer cover? Numbers separated by spaces "
                         "(Enter for none)", default="", show_default=False, console=console)
        picked = [x for x in raw.replace(",", " ").split() if x]
        if all(x.isdigit() and 1 <= int(x) <= len(review.key_points) for x in picked):
            return [review.key_points[int(x) - 1].id for x in picked]
        console.print(Text(f"Numbers from 1 to {len(review.key_points)}, please.", style="yellow"))
