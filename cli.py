"""attn-practice: practise attention mechanisms for ML interviews, with feedback that teaches.

This module only parses arguments, calls `grader`, and renders. Errors from the
core are `GraderError`s, turned into one message on stderr and exit code 2.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
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

app = typer.Typer(
    name="attn-practice",
    help="Practise attention mechanisms in PyTorch, with an autograder that teaches.\n\n"
         "Start here:  attn-practice list  ->  attn-practice show 5  ->  attn-practice start 5"
         "  ->  attn-practice submit 5",
    no_args_is_help=True, add_completion=False, rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
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


def _plain() -> bool:
    return bool(os.environ.get("NO_COLOR")) or not sys.stdout.isatty()


def _console(plain: bool | None = None) -> Console:
    from attn_practice.grader.render.terminal import make_console

    return make_console(_plain() if plain is None else plain)


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
        render_list(_console(), rows, _plain())


@app.command()
def show(problem: ProblemId, workspace: Workspace = None, problems_dir: ProblemsDir = None,
         lang: Lang = None) -> None:
    """Show a problem's statement (Markdown), with its signature and a worked example.

    Example: attn-practice show 7 --lang zh
    """
    with application(workspace, problems_dir, lang) as app_:
        p = app_.problem(problem)
        text = app_.statement(p)
        console = _console()
        console.print(Text(f"{p.id} · {p.slug} · {p.kind.value} · {p.difficulty} · "
                           f"{', '.join(p.tags)}", style="dim"))
        if _plain():
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
        console = _console()
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
        _render_result(result, p.title_in(app_.settings.lang), format)
    raise typer.Exit(0 if result.status.value == "pass" else EXIT_FAIL)


def _render_result(result, title: str, format: Optional[Format]) -> None:
    from attn_practice.grader.render.report import print_result

    chosen = format or (Format.plain if _plain() else Format.rich)
    print_result(result, title, chosen.value)


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
    from attn_practice.grader.watch import changes

    with application(workspace, problems_dir, lang) as app_:
        p = app_.problem(problem)
        path = app_.attempt_path(p, file)
        title = p.title_in(app_.settings.lang)
        console = _console()
        runs = 0

        def grade_once(saved_at: float | None) -> None:
            nonlocal runs
            result = app_.submit(p, path)
            runs += 1
            if not _plain():
                console.clear()
            _render_result(result, title, None)
            for note in app_.interview_notes():
                error_console.print(Text(note, style="bold cyan"))
            if saved_at is not None:
                console.print(Text(f"Report ready {time.monotonic() - saved_at:.2f} s after the save.",
                                   style="dim"))
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
        console = _console()
        answers: dict = {}
        try:
            ask_all(console, questions, language, answers)
        except (EOFError, KeyboardInterrupt):
            error_console.print(Text("\nStopped before the end: nothing was graded or recorded.",
                                     style="yellow"))
            raise typer.Exit(EXIT_FAIL) from None
        result = app_.submit_quiz_answers(p, answers)
        _render_result(result, p.title_in(language), None)
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
        console = _console()
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
        console = _console()
        if view.forced:
            console.print(Text("Revealed before passing (recorded).", style="yellow"))
        lexer = "python" if view.path.suffix == ".py" else "toml"
        console.print(Syntax(view.source, lexer, line_numbers=False, theme="ansi_dark")
                      if not _plain() else Text(view.source))


@app.command()
def progress(workspace: Workspace = None, problems_dir: ProblemsDir = None) -> None:
    """Overall and per-tag progress, streaks, and recent submissions.

    Example: attn-practice progress
    """
    from attn_practice.grader.render.tables import render_progress

    from attn_practice.grader.render.interview import render_history

    with application(workspace, problems_dir) as app_:
        render_progress(_console(), app_.progress(), _plain())
        render_history(_console(), app_.interview_history(), _plain())


@app.command()
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
        console, plain = _console(), _plain()
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


@app.command()
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
            plain = _plain() if format is None else format is ReviewFormat.plain
            render_review(_console(plain), queue, all_)


@app.command()
def reset(problem: ProblemId, workspace: Workspace = None,
          problems_dir: ProblemsDir = None, lang: Lang = None) -> None:
    """Restore the stub, keeping a backup of your attempt.

    Example: attn-practice reset 7
    """
    with application(workspace, problems_dir, lang) as app_:
        p = app_.problem(problem)
        outcome = app_.reset(p)
        console = _console()
        console.print(Text.assemble("Restored the stub at ", (str(outcome.path), "bold")))
        if outcome.backup:
            console.print(f"Your attempt was kept as {outcome.backup}")


@app.command()
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
        status = error_console.status("validating...") if not _plain() else contextlib.nullcontext()
        with status as spinner:
            def on_start(pid: str) -> None:
                if spinner is not None:
                    spinner.update(f"validating {pid}...")
            reports = app_.validate(problems, on_start=on_start, jobs=jobs)
        render_validation(_console(), reports, _plain())
    raise typer.Exit(0 if all(r.ok for r in reports) else EXIT_FAIL)


@app.command()
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
        console = _console()
        console.print(Text(f"Created {written[0].parent.name}:", style="bold"))
        for path in written:
            console.print(Text(f"  {path}"))
        console.print(Text(f"Replace every TODO(author), then: attn-practice validate "
                           f"{written[0].parent.name}  (guide: docs/authoring.md)"))


@app.command()
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
        with batch_progress(error_console, len(subs), runner.name, _plain()) as advance:
            outcome = app_.grade_batch(subs, runner, out, resume, on_row=advance)
        render_class_report(_console(), outcome, _plain())



class DoctorFormat(str, Enum):
    rich = "rich"
    plain = "plain"
    json = "json"


@app.command()
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
            plain = format is DoctorFormat.plain or (format is None and _plain())
            render_doctor(_console(plain), report, plain)
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


@app.command("export")
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
        console = _console()
        console.print(Text.assemble("Wrote ", (str(summary.path), "bold"),
                                    f" ({len(summary.files)} files) for {summary.problem_id}."))
        console.print(f"On Gradescope: a Programming Assignment worth {summary.max_points:g} points; "
                      f"upload the zip under Configure Autograder; students upload "
                      f"{summary.attempt_name}.")


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
