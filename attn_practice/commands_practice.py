"""The interview commands: a timed mock interview, and the review queue."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console
from rich.text import Text

from attn_practice.commands_common import (
    EXIT_FAIL, Lang, ProblemsDir, Workspace, application,
    console_for, error_console, plain_output,
)

if TYPE_CHECKING:
    from attn_practice.grader.api import App

def interview(
    problem: Annotated[Optional[str], typer.Option(
        "--problem", "-p", help="This problem (by default one you have not passed, picked for you).")] = None,
    difficulty: Annotated[Optional[str], typer.Option(help="Pick among easy, medium or hard.")] = None,
    tag: Annotated[Optional[str], typer.Option(help="Pick among problems with this tag.")] = None,
    minutes: Annotated[Optional[float], typer.Option(
        help="Time allowed [default: 20 easy, 35 medium, 50 hard].")] = None,
    status: Annotated[bool, typer.Option("--status", help="Time left, or the last scorecard.")] = False,
    stop: Annotated[bool, typer.Option("--stop", help="End the interview now.")] = False,
    answer: Annotated[Optional[str], typer.Option(
        "--answer", help="Answer the follow-up without being asked: a letter, letters separated "
        "by spaces, a number, or a sentence.")] = None,
    workspace: Workspace = None, problems_dir: ProblemsDir = None, lang: Lang = None,
) -> None:
    """A timed mock interview: a code problem you have not passed, a clock, a follow-up.

    The stub goes to an interview folder of its own. While the interview runs, `submit`
    and `watch` on its problem grade that attempt and count, hints count, and the
    solution is locked. It ends at the first pass, at --stop, or when the time is up
    (noticed by the next command); then a follow-up question about the problem's cost
    or design, and a scorecard (`progress` keeps the history).

    Example: attn-practice interview --difficulty medium
    """
    from attn_practice.grader.render import interview as show_iv

    with application(workspace, problems_dir, lang) as app_:
        console, plain = console_for(), plain_output()
        if status:
            running = app_.interview_running()
            card = app_.interview_scorecard(running)
            if running is not None:
                show_iv.render_status(console, card, app_.now())
            elif card is not None:
                show_iv.render_scorecard(console, card, plain)
            else:
                console.print("No interview yet. Start one: attn-practice interview")
            return
        if stop:
            ended = app_.interview_stop()
            console.print(Text(f"Interview on {ended.problem_id} stopped.", style="bold"))
        waiting = app_.interview_followup()
        if waiting is not None:  # an interview is over: its follow-up comes before anything else
            _followup(app_, console, waiting[1].question, answer, plain)
            return
        if stop:  # this problem has no follow-up yet: the scorecard alone
            show_iv.render_scorecard(console, app_.interview_scorecard(), plain)
            return
        if answer is not None:
            app_.interview_answer(answer)  # raises: no follow-up question is waiting
        running = app_.interview_running()
        if running is not None and not (problem or difficulty or tag or minutes):
            show_iv.render_status(console, app_.interview_scorecard(running), app_.now())
            return
        chosen = app_.problem(problem) if problem else None
        started = app_.interview_start(chosen, difficulty, tag, minutes)
        chosen = app_.problem(started.problem_id)
        show_iv.render_start(console, started, chosen, app_.statement(chosen), plain,
                             app_.settings.lang)


def _followup(app_: "App", console: Console, question, answer: Optional[str], plain: bool) -> None:
    """Ask the follow-up (or take --answer), grade it, then show the scorecard."""
    from attn_practice.grader.render import interview as show_iv
    from attn_practice.grader.render.prompts import ask_all

    language = app_.settings.lang
    console.print(Text("The interview is over. One follow-up question, graded like a quiz:",
                       style="bold"))
    if answer is None:
        answers: dict = {}
        try:
            ask_all(console, [question], language, answers)
        except (EOFError, KeyboardInterrupt):
            error_console.print(Text("\nNot answered: the follow-up waits for you. "
                                     "Answer it with `attn-practice interview`.", style="yellow"))
            raise typer.Exit(EXIT_FAIL) from None
        answer = answers[question.id]
    else:
        show_iv.render_question(console, question, language)
    _, check, card = app_.interview_answer(answer)
    show_iv.render_followup_result(console, check, language)
    show_iv.render_scorecard(console, card, plain)


class ReviewFormat(str, Enum):
    rich = "rich"
    plain = "plain"
    json = "json"


def review(
    all_: Annotated[bool, typer.Option("--all", help="Also what is due later.")] = False,
    format: Annotated[Optional[ReviewFormat], typer.Option(
        "--format", help="rich, plain or json (for scripts; always lists what is due later).")] = None,
    workspace: Workspace = None, problems_dir: ProblemsDir = None,
) -> None:
    """What to practise today: your diagnosed mistakes and unfinished problems, spaced.

    Each comes back 1, 3, 7 and 21 days after a clean pass (no hint or solution); a
    relapse starts it over. For a mistake it suggests another problem whose checks
    catch the same kind of mistake.

    Example: attn-practice review --format json
    """
    from attn_practice.grader.render.review import render_review, review_json

    with application(workspace, problems_dir) as app_:
        queue = app_.review()
        if format is ReviewFormat.json:
            print(review_json(queue))
        else:
            plain = plain_output() if format is None else format is ReviewFormat.plain
            render_review(console_for(plain), queue, all_)


def register(app: typer.Typer) -> None:
    """Add these commands to the command line, in this order."""
    app.command()(interview)
    app.command()(review)
