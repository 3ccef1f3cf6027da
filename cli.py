"""attn-practice: practise attention mechanisms for ML interviews, with feedback that teaches.

This module is the Typer app and the learner's commands; the interview commands and the
instructor's are in attn_practice/commands_practice.py and commands_teach.py, and what they
all share (options, consoles, the one place where errors become exit code 2) in
commands_common.py. Each command only parses arguments, calls `App`, and renders.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.text import Text

from attn_practice import commands_practice, commands_teach
from attn_practice.commands_common import (
    EXIT_FAIL, Format, Lang, ProblemId, ProblemsDir, Workspace, application, console_for,
    error_console, plain_output, render_result,
)

app = typer.Typer(
    name="attn-practice",
    help="Practise attention mechanisms in PyTorch, with an autograder that teaches.\n\n"
         "Start here:  attn-practice list  ->  attn-practice show 5  ->  attn-practice start 5"
         "  ->  attn-practice submit 5",
    no_args_is_help=True, add_completion=False, rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@app.command("list")
def list_(
    kind: Annotated[Optional[str], typer.Option(help="code or quiz.")] = None,
    tag: Annotated[Optional[str], typer.Option(help="Only problems with this tag.")] = None,
    difficulty: Annotated[Optional[str], typer.Option(help="easy, medium or hard.")] = None,
    workspace: Workspace = None, problems_dir: ProblemsDir = None, lang: Lang = None,
) -> None:
    """List the problems with your status and best score.

    Example: attn-practice list --kind code --difficulty easy
    """
    from attn_practice.grader.render.tables import render_list

    with application(workspace, problems_dir, lang) as app_:
        rows = app_.list_rows(kind, tag, difficulty)
        render_list(console_for(), rows, plain_output())


@app.command()
def show(problem: ProblemId, workspace: Workspace = None, problems_dir: ProblemsDir = None,
         lang: Lang = None) -> None:
    """Show a problem's statement (Markdown), with its signature and a worked example.

    Example: attn-practice show 7 --lang zh
    """
    with application(workspace, problems_dir, lang) as app_:
        p = app_.problem(problem)
        text = app_.statement(p)
        console = console_for()
        console.print(Text(f"{p.id} · {p.slug} · {p.kind.value} · {p.difficulty} · "
                           f"{', '.join(p.tags)}", style="dim"))
        if plain_output():
            console.print(Text(text))
        else:
            from rich.markdown import Markdown  # only here: it costs a tenth of a second to import

            console.print(Markdown(text))
        console.print(Text(f"Next: attn-practice start {p.id}", style="bold"))


@app.command()
def start(problem: ProblemId,
          force: Annotated[bool, typer.Option("--force", help="Replace an existing attempt with "
                                              "the stub (a backup is kept).")] = False,
          notebook: Annotated[bool, typer.Option("--notebook", help="Write problemN.ipynb "
                                                 "instead: statement, stub, check cell.")] = False,
          workspace: Workspace = None, problems_dir: ProblemsDir = None, lang: Lang = None) -> None:
    """Copy the problem's stub into your workspace and print its path.

    An existing attempt is never overwritten without --force.

    Example: attn-practice start 5   (or: attn-practice start 9 --notebook)
    """
    with application(workspace, problems_dir, lang) as app_:
        p = app_.problem(problem)
        outcome = app_.start_notebook(p, force=force) if notebook else app_.start(p, force=force)
        console = console_for()
        if outcome.created:
            console.print(Text.assemble("Your attempt: ", (str(outcome.path), "bold")))
            if outcome.backup:
                console.print(f"The previous attempt was kept as {outcome.backup}")
            console.print(f"Open it in Jupyter: jupyter lab {outcome.path}" if notebook else
                          f"Edit it, then run: attn-practice submit {p.id}")
        else:
            console.print(Text.assemble("You already have an attempt: ", (str(outcome.path), "bold")))
            console.print(f"It was kept. To start over from the stub: attn-practice start {p.id} "
                          "--force (a backup is kept).")


@app.command()
def submit(
    problem: ProblemId,
    file: Annotated[Optional[Path], typer.Option("--file", help="Grade this file instead of "
                                                 "the workspace attempt.")] = None,
    format: Annotated[Optional[Format], typer.Option(
        "--format", help="rich, plain, json (Exercism v3 + ours), junit, or a grading "
        "platform's results: gradescope, prairielearn, classroom. Default: rich on a terminal, "
        "plain otherwise.")] = None,
    workspace: Workspace = None, problems_dir: ProblemsDir = None, lang: Lang = None,
) -> None:
    """Grade your attempt, print feedback, record the result.

    Exit code 0 when every check passes, 1 when not, 2 for usage errors.

    Example: attn-practice submit 7 --format json > result.json
    """
    with application(workspace, problems_dir, lang) as app_:
        p = app_.problem(problem)
        # machine formats say what the problem is worth even when the attempt cannot run
        result = app_.submit(p, file, points_when_ungradable=format not in (None, Format.rich,
                                                                            Format.plain))
        render_result(result, p.title_in(app_.settings.lang), format)
    raise typer.Exit(0 if result.status.value == "pass" else EXIT_FAIL)


@app.command()
def watch(
    problem: ProblemId,
    file: Annotated[Optional[Path], typer.Option("--file", help="Watch this file instead of "
                                                 "the workspace attempt.")] = None,
    max_runs: Annotated[int, typer.Option("--max-runs", hidden=True)] = 0,
    workspace: Workspace = None, problems_dir: ProblemsDir = None, lang: Lang = None,
) -> None:
    """Re-grade your attempt every time you save it (the heavy imports stay warm).

    Press Ctrl-C to stop. Every grading is recorded like a submit.

    Example: attn-practice watch 7
    """
    from attn_practice.grader.render.console import cost_lines
    from attn_practice.grader.watch import changes

    with application(workspace, problems_dir, lang) as app_:
        p = app_.problem(problem)
        path = app_.attempt_path(p, file)
        title = p.title_in(app_.settings.lang)
        console = console_for()
        runs = 0

        def grade_once(saved_at: float | None) -> None:
            nonlocal runs
            # the report first; the cost (fresh processes for attempt and reference) after it
            result = app_.submit(p, path, measure_cost=False)
            runs += 1
            if not plain_output():
                console.clear()
            render_result(result, title, None)
            for note in app_.interview_notes():
                error_console.print(Text(note, style="bold cyan"))
            if saved_at is not None:
                console.print(Text(f"Report ready {time.monotonic() - saved_at:.2f} s after the save.",
                                   style="dim"))
            if p.cost is not None:
                with console.status("Measuring the cost against the reference..."):
                    result = app_.cost_of(p, result)
                for line in cost_lines(result):
                    console.print(line)
            console.print(Text(f"Watching {path}. Save to re-grade; Ctrl-C to stop.", style="dim"))

        try:
            grade_once(None)
            for saved_at in changes(path, stop=lambda: bool(max_runs) and runs >= max_runs):
                grade_once(saved_at)
        except KeyboardInterrupt:
            console.print(Text("Stopped watching.", style="dim"))


@app.command()
def quiz(problem: ProblemId, workspace: Workspace = None, problems_dir: ProblemsDir = None,
         lang: Lang = None) -> None:
    """Answer a quiz interactively, then grade and record it like any submission.

    Example: attn-practice quiz 1 --lang zh
    """
    from attn_practice.grader.render.prompts import ask_all

    with application(workspace, problems_dir, lang) as app_:
        p = app_.problem(problem)
        questions = app_.quiz_questions(p)
        language = app_.settings.lang
        console = console_for()
        answers: dict = {}
        try:
            ask_all(console, questions, language, answers)
        except (EOFError, KeyboardInterrupt):
            error_console.print(Text("\nStopped before the end: nothing was graded or recorded.",
                                     style="yellow"))
            raise typer.Exit(EXIT_FAIL) from None
        result = app_.submit_quiz_answers(p, answers)
        render_result(result, p.title_in(language), None)
    raise typer.Exit(0 if result.status.value == "pass" else EXIT_FAIL)


@app.command()
def hint(problem: ProblemId, workspace: Workspace = None, problems_dir: ProblemsDir = None,
         lang: Lang = None) -> None:
    """Show the next hint: from a nudge to nearly the answer. Remembers how many you saw.

    Example: attn-practice hint 9
    """
    with application(workspace, problems_dir, lang) as app_:
        p = app_.problem(problem)
        view = app_.hint(p)
        console = console_for()
        console.print(Text(f"Hint {view.index + 1} of {view.total} for {p.id}", style="bold"))
        console.print(Text(view.text))
        if view.index + 1 < view.total:
            console.print(Text(f"Another one: attn-practice hint {p.id}", style="dim"))


@app.command()
def solution(problem: ProblemId,
             force: Annotated[bool, typer.Option("--force", help="Show it before passing "
                                                 "(recorded as a reveal).")] = False,
             workspace: Workspace = None, problems_dir: ProblemsDir = None) -> None:
    """Show the reference solution and its explanation (after you pass, or with --force).

    Example: attn-practice solution 5
    """
    from rich.syntax import Syntax

    with application(workspace, problems_dir) as app_:
        p = app_.problem(problem)
        view = app_.solution(p, force=force)
        console = console_for()
        if view.forced:
            console.print(Text("Revealed before passing (recorded).", style="yellow"))
        lexer = "python" if view.path.suffix == ".py" else "toml"
        console.print(Syntax(view.source, lexer, line_numbers=False, theme="ansi_dark")
                      if not plain_output() else Text(view.source))


@app.command()
def progress(workspace: Workspace = None, problems_dir: ProblemsDir = None) -> None:
    """Overall and per-tag progress, streaks, and recent submissions.

    Example: attn-practice progress
    """
    from attn_practice.grader.render.tables import render_progress

    from attn_practice.grader.render.interview import render_history

    with application(workspace, problems_dir) as app_:
        render_progress(console_for(), app_.progress(), plain_output())
        render_history(console_for(), app_.interview_history(), plain_output())


@app.command()
def reset(problem: ProblemId, workspace: Workspace = None,
          problems_dir: ProblemsDir = None, lang: Lang = None) -> None:
    """Restore the stub, keeping a backup of your attempt.

    Example: attn-practice reset 7
    """
    with application(workspace, problems_dir, lang) as app_:
        p = app_.problem(problem)
        outcome = app_.reset(p)
        console = console_for()
        console.print(Text.assemble("Restored the stub at ", (str(outcome.path), "bold")))
        if outcome.backup:
            console.print(f"Your attempt was kept as {outcome.backup}")



commands_practice.register(app)
commands_teach.register(app)


def _version(value: bool) -> None:
    if value:
        from attn_practice import __version__

        typer.echo(f"attn-practice {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
          ) -> None:
    # a callback keeps the app a group of commands even when main() registers only one
    pass


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] in ("submit", "watch") and "--help" not in args:
        # start the sandbox's torch import now, so that it overlaps with everything else
        from attn_practice.grader.sandbox.server import shared_server

        shared_server().start()
    _build_only(args[0] if args else "")
    app()


def _build_only(name: str) -> None:
    """Typer builds every command's options before it runs one; build only the one asked for
    (a fifth of `list`'s start-up). Anything else (--help, a typo) keeps them all."""
    chosen = [c for c in app.registered_commands
              if (c.name or typer.main.get_command_name(c.callback.__name__)) == name]
    if chosen:
        app.registered_commands[:] = chosen


if __name__ == "__main__":
    main()
