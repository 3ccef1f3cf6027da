"""Interviews on a terminal: the start, the clock, the follow-up, the scorecard, the history."""

from __future__ import annotations

import time

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from attn_practice.grader.interview_records import EndReason, Interview, Scorecard, clock

END_WORDS = {EndReason.PASSED: "first pass", EndReason.STOPPED: "stopped",
             EndReason.TIME_UP: "time up"}
FOLLOWUP_STYLE = {"right": "green", "wrong": "red", "pending": "yellow", "none": "dim"}


def _at(t: float) -> str:
    return time.strftime("%H:%M", time.localtime(t))


def render_start(console: Console, interview: Interview, problem, statement: str,
                 plain: bool, lang: str = "en") -> None:
    console.print(Text(f"Interview {interview.id} · {problem.id} · {problem.title_in(lang)} · "
                       f"{problem.difficulty}", style="bold"))
    console.print(Text(f"{interview.minutes:g} minutes, from {_at(interview.started_at)} to "
                       f"{_at(interview.deadline)}.", style="bold cyan"))
    if plain:
        console.print(Text(statement))
    else:
        from rich.markdown import Markdown

        console.print(Markdown(statement))
    n = problem.number
    console.print(Text(f"Interview {interview.id} on {problem.id}: {interview.minutes:g} minutes, "
                       f"until {_at(interview.deadline)}.", style="bold cyan"))
    console.print(Text.assemble("Your interview attempt: ", (str(interview.attempt_path), "bold")))
    console.print(Text(
        f"Submit with `attn-practice submit {n}` (or `attn-practice watch {n}`): during the "
        f"interview they grade this file and count. Your practice attempt is untouched.\n"
        f"Time left: `attn-practice interview --status`. Hints count: `attn-practice hint {n}`. "
        f"The solution is locked until the end. Give up: `attn-practice interview --stop`."))


def render_status(console: Console, card: Scorecard, now: float) -> None:
    iv = card.interview
    left = iv.seconds_left(now)
    console.print(Text(f"Interview {iv.id} · {iv.problem_id} · {card.title}", style="bold"))
    console.print(Text(f"{clock(left)} left of {clock(60 * iv.minutes)} (until {_at(iv.deadline)})",
                       style="bold cyan" if left > 300 else "bold yellow"))
    console.print(Text(f"Submissions: {card.submissions}   hints: {card.hints}"))
    if card.mistakes:
        console.print(Text("Mistakes so far: " + ", ".join(m for m, _ in card.mistakes)))
    console.print(Text(f"Attempt: {iv.attempt_path}", style="dim"))


def render_question(console: Console, question, lang: str) -> None:
    console.rule(Text(f"Follow-up question · {question.id}"))
    console.print(Text(question.prompt[lang].strip()))
    if question.code:
        console.print(Text(question.code.rstrip(), style="cyan"))
    for c in question.choices:
        console.print(Text(f"  {c.id}) {c.text[lang]}"))


def render_followup_result(console: Console, check, lang: str) -> None:
    ok = check.status.value == "pass"
    console.print(Text("Right." if ok else f"Not right: {check.message}.",
                       style="bold green" if ok else "bold red"))
    if check.explanation:
        console.print(Text(check.explanation.strip()))


def render_scorecard(console: Console, card: Scorecard, plain: bool) -> None:
    iv = card.interview
    table = Table(box=box.ASCII if plain else box.ROUNDED, show_header=False,
                  title=f"Scorecard · interview {iv.id} · {iv.problem_id} · {card.title} "
                        f"({card.difficulty})", title_justify="left")
    table.add_column("what", style="bold", no_wrap=True)
    table.add_column("result")
    if card.solved and card.seconds_to_pass is not None:
        solved = Text(f"yes, in {clock(card.seconds_to_pass)} of {clock(60 * iv.minutes)}",
                      style="green")
    else:
        solved = Text("no" if not iv.running else "not yet", style="red" if not iv.running else "")
    table.add_row("solved", solved)
    ended = END_WORDS.get(iv.end_reason, "running") if iv.end_reason else "running"
    table.add_row("ended", f"{ended} ({clock(card.seconds_used)} used)")
    failed = f" ({card.failed_submissions} failing)" if card.failed_submissions else ""
    table.add_row("submissions", f"{card.submissions}{failed}")
    table.add_row("hints used", str(card.hints))
    table.add_row("mistakes on the way", Text("\n".join(f"{m}: {t}" for m, t in card.mistakes)
                                              or "none diagnosed"))
    table.add_row("follow-up", Text(card.followup, style=FOLLOWUP_STYLE[card.followup]))
    console.print(table)
    if card.followup == "pending":
        console.print(Text("Answer the follow-up: attn-practice interview", style="bold"))


def render_history(console: Console, cards: list[Scorecard], plain: bool) -> None:
    if not cards:
        return
    table = Table(box=box.ASCII if plain else box.SIMPLE, title="interviews", title_justify="left")
    for name in ("when", "problem", "solved", "time", "submissions", "hints", "mistakes",
                 "follow-up"):
        table.add_column(name, no_wrap=name != "mistakes")
    for c in cards:
        iv = c.interview
        table.add_row(time.strftime("%Y-%m-%d", time.localtime(iv.started_at)), iv.problem_id,
                      Text("yes" if c.solved else "no", style="green" if c.solved else "red"),
                      f"{clock(c.seconds_to_pass if c.seconds_to_pass is not None else c.seconds_used)}"
                      f"/{clock(60 * iv.minutes)}",
                      str(c.submissions), str(c.hints),
                      Text(", ".join(m for m, _ in c.mistakes) or "-", overflow="fold"),
                      Text(c.followup, style=FOLLOWUP_STYLE[c.followup]))
    console.print(table)
