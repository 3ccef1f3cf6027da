"""What every command shares: the option types, the consoles, and `application`, the one place
where errors from the core become a message and exit code 2."""

from __future__ import annotations

import contextlib
import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Iterator, Optional

import typer
from rich.console import Console
from rich.text import Text

from attn_practice.grader.config import resolve_settings
from attn_practice.grader.errors import GraderError

if TYPE_CHECKING:
    from attn_practice.grader.api import App

error_console = Console(stderr=True, highlight=False)

EXIT_FAIL = 1
EXIT_USAGE = 2


class Format(str, Enum):
    rich = "rich"
    plain = "plain"
    json = "json"
    junit = "junit"
    gradescope = "gradescope"  # Gradescope's results.json
    prairielearn = "prairielearn"  # PrairieLearn's external grader results.json
    classroom = "classroom"  # GitHub Classroom's autograding reporter


Workspace = Annotated[Optional[Path], typer.Option(
    "--workspace", envvar="ATTN_PRACTICE_WORKSPACE", show_envvar=True,
    help="Folder for attempts and progress [default: ~/attn-practice].")]
ProblemsDir = Annotated[Optional[Path], typer.Option(
    "--problems-dir", envvar="ATTN_PRACTICE_PROBLEMS", show_envvar=True,
    help="Another problem collection (its solutions/ beside it).")]
Lang = Annotated[Optional[str], typer.Option(
    "--lang", envvar="ATTN_PRACTICE_LANG", show_envvar=True, help="Statement language: en or zh.")]
ProblemId = Annotated[str, typer.Argument(help="problem7, 7 or the slug (multi-head-attention).")]


def plain_output() -> bool:
    return bool(os.environ.get("NO_COLOR")) or not sys.stdout.isatty()


def console_for(plain: bool | None = None) -> Console:
    from attn_practice.grader.render.terminal import make_console

    return make_console(plain_output() if plain is None else plain)


@contextlib.contextmanager
def application(workspace: Optional[Path] = None, problems_dir: Optional[Path] = None,
                lang: Optional[str] = None) -> Iterator["App"]:
    """The App for one command, and the one place where core errors become a message and
    exit code 2. Whatever happens, the App's notices (a damaged store...) are printed."""
    from attn_practice.grader.api import App

    made = None
    try:
        made = App(resolve_settings(problems_dir, workspace, lang))
        yield made
    except GraderError as err:
        error_console.print(Text.assemble(("error: ", "bold red"), str(err)))
        if err.hint:
            error_console.print(Text(err.hint, style="yellow"))
        raise typer.Exit(EXIT_USAGE) from None
    finally:
        for note in made.interview_notes() if made is not None else []:
            error_console.print(Text(note, style="bold cyan"))
        for notice in made.notices() if made is not None else []:
            error_console.print(Text(f"warning: {notice}", style="yellow"))


def render_result(result, title: str, format: Optional[Format]) -> None:
    from attn_practice.grader.render.report import print_result

    chosen = format or (Format.plain if plain_output() else Format.rich)
    print_result(result, title, chosen.value)


