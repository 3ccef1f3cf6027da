"""The instructor's commands: validate, new, grade (a class or a course), doctor, export."""

from __future__ import annotations

import contextlib

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.text import Text

from attn_practice.commands_common import (
    EXIT_FAIL, ProblemId, ProblemsDir, application,
    console_for, error_console, plain_output,
)
from attn_practice.grader.errors import GraderError

if TYPE_CHECKING:
    pass

def validate(
    problems: Annotated[Optional[list[str]], typer.Argument(
        help="Problems to check [default: all].")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1,
                                      help="Problems validated in parallel.")] = 1,
    problems_dir: ProblemsDir = None,
) -> None:
    """Prove problems are sound: files complete, reference passes, stub fails, every known
    mistake fails and is diagnosed as itself, same verdicts twice, within the time budget.

    Exit code 0 when every problem is valid, 1 otherwise.

    Example: attn-practice validate 5 7 9
    """
    from attn_practice.grader.render.tables import render_validation

    with application(None, problems_dir) as app_:
        status = error_console.status("validating...") if not plain_output() else contextlib.nullcontext()
        with status as spinner:
            def on_start(pid: str) -> None:
                if spinner is not None:
                    spinner.update(f"validating {pid}...")
            reports = app_.validate(problems, on_start=on_start, jobs=jobs)
        render_validation(console_for(), reports, plain_output())
    raise typer.Exit(0 if all(r.ok for r in reports) else EXIT_FAIL)


def new(
    slug: Annotated[str, typer.Argument(help="lowercase-with-dashes, e.g. causal-softmax.")],
    kind: Annotated[str, typer.Option("--kind", help="code or quiz.")] = "code",
    problems_dir: ProblemsDir = None,
) -> None:
    """Scaffold the next-numbered problem folder and its solution, with TODO(author) markers.

    Then follow docs/authoring.md and run `attn-practice validate ID` until it passes.

    Example: attn-practice new causal-softmax --kind code
    """
    with application(None, problems_dir) as app_:
        written = app_.new_problem(slug, kind)
        console = console_for()
        console.print(Text(f"Created {written[0].parent.name}:", style="bold"))
        for path in written:
            console.print(Text(f"  {path}"))
        console.print(Text(f"Replace every TODO(author), then: attn-practice validate "
                           f"{written[0].parent.name}  (guide: docs/authoring.md)"))


def grade(
    folder: Annotated[Path, typer.Argument(help="A class (one file per learner, with --problem) "
                                           "or a course (a folder per learner).")],
    problem: Annotated[Optional[str], typer.Option(
        "--problem", "-p", help="The problem a class answered; without it FOLDER is a course: "
        "alice/problem5.py, alice/problem1.toml, bob/...")] = None,
    out: Annotated[Path, typer.Option("--out", help="The CSV to write; one JSON result per "
                                      "submission goes to <out>-results/.")] = Path("grades.csv"),
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Submissions graded in "
                                      "parallel (local), or workers of a local Dask cluster.")] = 2,
    engine: Annotated[str, typer.Option("--engine", help="local (warm worker processes) or "
                                        "dask (a local Dask cluster).")] = "local",
    scheduler: Annotated[Optional[str], typer.Option(
        "--scheduler", help="Send the work to a running Dask scheduler, e.g. "
        "tcp://10.0.0.5:8786.")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Skip attempts whose file already "
                                         "has a result in the output folder.")] = False,
    problems_dir: ProblemsDir = None,
    allow_weak_sandbox: Annotated[bool, typer.Option(
        "--allow-weak-sandbox", help="Grade even where the kernel cannot hide the answers "
        "from a submission (see `attn-practice doctor`).")] = False,
) -> None:
    """Grade a whole class or course in one command, on this machine or a Dask cluster.

    Writes a CSV (learner, problem, status, score, failed checks, diagnosis), one JSON
    result per submission as soon as it is graded, and mistakes.csv: how many learners
    each known mistake explains. A hanging or crashing submission costs only its own
    time limit; one learner never stops the class.

    Example: attn-practice grade course/ --out grades.csv --jobs 2 --resume
    """
    from attn_practice.grader.render.tables import batch_progress, render_class_report

    if engine not in ("local", "dask"):
        raise typer.BadParameter("local or dask", param_hint="--engine")
    with application(None, problems_dir) as app_:
        p = app_.problem(problem) if problem else None
        subs, skipped = app_.find_batch(folder, p)
        _check_sandbox(app_, allow_weak_sandbox)
        runner = app_.engine(jobs, engine, scheduler)
        for item in skipped:
            error_console.print(Text(f"skipped {item.path}: {item.why}", style="yellow"))
        with batch_progress(error_console, len(subs), runner.name, plain_output()) as advance:
            outcome = app_.grade_batch(subs, runner, out, resume, on_row=advance)
        render_class_report(console_for(), outcome, plain_output())



class DoctorFormat(str, Enum):
    rich = "rich"
    plain = "plain"
    json = "json"


def doctor(
    format: Annotated[Optional[DoctorFormat], typer.Option(
        "--format", help="rich, plain or json. Default: rich on a terminal, else plain.")] = None,
    problems_dir: ProblemsDir = None,
) -> None:
    """Which sandbox layers this machine enforces (Landlock, seccomp, namespaces, rlimits),
    and why any is missing.

    Exit code 0 when the kernel keeps the answers out of an attempt's reach, 1 otherwise.

    Example: attn-practice doctor --format json
    """
    from attn_practice.grader.render.doctor import render_doctor, render_doctor_json

    with application(None, problems_dir) as app_:
        report = app_.doctor()
        if format is DoctorFormat.json:
            typer.echo(render_doctor_json(report))
        else:
            plain = format is DoctorFormat.plain or (format is None and plain_output())
            render_doctor(console_for(plain), report, plain)
    raise typer.Exit(0 if report.hides_answers else EXIT_FAIL)


def _check_sandbox(application, allow_weak: bool) -> None:
    """`grade` runs strangers' code: say which layers are on, refuse a weak sandbox."""
    from attn_practice.grader.render.doctor import summary_line

    report = application.doctor()
    error_console.print(Text(summary_line(report), style="dim" if report.hides_answers
                             else "bold yellow"))
    if not report.hides_answers and not allow_weak:
        raise GraderError(
            "The sandbox is weak on this machine: Landlock is missing, so nothing keeps "
            "the answers out of a submission's reach: one submission could read "
            "solutions/ or change the hidden tests.",
            hint="Run `attn-practice doctor` for the reasons; grade in a container, or pass "
                 "--allow-weak-sandbox if every submission is trusted.")


class ExportTarget(str, Enum):
    gradescope = "gradescope"


def export(
    target: Annotated[ExportTarget, typer.Argument(help="The grading platform: gradescope.")],
    problem: ProblemId,
    out: Annotated[Path, typer.Option("--out", "-o", help="The zip to write.")] = Path("autograder.zip"),
    problems_dir: ProblemsDir = None,
) -> None:
    """Package a problem as an autograder: setup.sh, run_autograder, the problem and its solution.

    Upload the zip as a Gradescope programming assignment's autograder; students upload their
    attempt.py (a quiz: answers.toml).

    Example: attn-practice export gradescope 5 -o autograder.zip
    """
    with application(None, problems_dir) as app_:
        p = app_.problem(problem)
        summary = app_.export(target.value, p, out)
        console = console_for()
        console.print(Text.assemble("Wrote ", (str(summary.path), "bold"),
                                    f" ({len(summary.files)} files) for {summary.problem_id}."))
        console.print(f"On Gradescope: a Programming Assignment worth {summary.max_points:g} points; "
                      f"upload the zip under Configure Autograder; students upload "
                      f"{summary.attempt_name}.")


def register(app: typer.Typer) -> None:
    """Add these commands to the command line, in this order."""
    app.command()(validate)
    app.command()(new)
    app.command()(grade)
    app.command()(doctor)
    app.command("export")(export)
