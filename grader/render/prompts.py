"""Asking a quiz's questions at the terminal (`attn-practice quiz`)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text


def ask_all(console: Console, questions, language: str, answers: dict) -> None:
    """Ask every question of a quiz in turn, filling `answers`."""
    from rich.prompt import Prompt

    for n, q in enumerate(questions, start=1):
        console.rule(Text(f"{n}/{len(questions)} · {q.id}"))
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
            answers[q.id] = Prompt.ask("Your answer (a sentence or two)", console=console)
