"""Tables for `list`, `progress` and `validate`."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

STATUS_STYLE = {"new": "dim", "started": "cyan", "failed": "red", "passed": "green",
                "broken": "bold magenta"}


def render_list(console: Console, rows: list, plain: bool) -> None:
    table = Table(box=box.ASCII if plain else box.SIMPLE_HEAVY, title="attn-practice problems",
                  title_justify="left")
    due = [r.id for r in rows if getattr(r, "review_due", False)]
    for name in ("id", "title", "kind", "difficulty", "tags", "status", "best") + (
            ("review",) if due else ()):
        table.add_column(name, no_wrap=name in ("id", "status", "best", "review"))
    for r in rows:
        best = "-" if r.best_score is None else f"{round(100 * r.best_score)}%"
        table.add_row(r.id, Text(r.title), r.kind, r.difficulty, Text(", ".join(r.tags)),
                      Text(r.status, style=STATUS_STYLE.get(r.status, "")), best,
                      *([Text("due", style="bold yellow") if r.id in due else ""] if due else []))
    console.print(table)
    if due:
        console.print(Text(f"{len(due)} problem(s) due for review: attn-practice review",
                           style="yellow"))
    for r in rows:
        if r.error:
            console.print(Text(f"{r.id}: {r.error}", style="magenta"))


def render_progress(console: Console, view, plain: bool) -> None:
    b = box.ASCII if plain else box.SIMPLE
    pct = round(100 * view.passed / view.total) if view.total else 0
    console.print(Text.assemble(("Progress: ", "bold"),
                                f"{view.passed}/{view.total} problems passed ({pct}%), "
                                f"{view.attempted} attempted, {view.submissions} submissions"))
    console.print(f"Streak: {view.current_streak} day(s) now, longest {view.longest_streak}")
    tags = Table(box=b, title="by tag", title_justify="left")
    tags.add_column("tag")
    tags.add_column("passed", justify="right")
    for t in view.tags:
        tags.add_row(Text(t.tag), f"{t.passed}/{t.total}")
    console.print(tags)
    if view.recent:
        recent = Table(box=b, title="recent submissions", title_justify="left")
        for name in ("when", "problem", "status", "score", "diagnosis"):
            recent.add_column(name)
        for s in view.recent:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(s.submitted_at))
            recent.add_row(when, s.problem_id, Text(s.status, style=STATUS_STYLE.get(
                {"pass": "passed", "fail": "failed"}.get(s.status, "broken"), "")),
                f"{s.passed}/{s.total}", s.diagnosis or "")
        console.print(recent)
    else:
        console.print("No submissions yet: `attn-practice start 5` is a good first problem.")


def render_validation(console: Console, reports: list, plain: bool) -> None:
    table = Table(box=box.ASCII if plain else box.SIMPLE_HEAVY, title="validate",
                  title_justify="left")
    steps = ("files", "reference", "stub", "mistakes", "repeat", "budget")
    table.add_column("problem", no_wrap=True)
    for step in steps:
        table.add_column(step, justify="center")
    table.add_column("checks", justify="right")
    table.add_column("time", justify="right")
    table.add_column("verdict")
    for r in reports:
        cells = []
        for step in steps:
            ok = r.step_ok(step)
            if step == "files":  # metadata: the follow-ups and mistake tags too
                ok = ok and r.step_ok("followup") is not False and r.step_ok("tags") is not False
            cells.append(Text("-" if ok is None else ("ok" if ok else "FAIL"),
                              style="dim" if ok is None else ("green" if ok else "bold red")))
        table.add_row(r.problem_id, *cells, str(r.checks or "-"), f"{r.seconds:.1f}s",
                      Text("valid" if r.ok else "INVALID", style="green" if r.ok else "bold red"))
    console.print(table)
    for r in reports:
        for f in r.findings:
            if not f.ok:
                console.print(Text.assemble((f"{r.problem_id} ", "bold"), (f"{f.step}: ", "red"),
                                            f.detail))
    for step, what in (("followup", "a follow-up question"), ("tags", "tags on their mistakes")):
        judged = [r for r in reports if r.step_ok(step) is not None]
        missing = [r.problem_id for r in judged if r.gaps(step)]
        if judged:
            console.print(Text(f"{len(judged) - len(missing)} of {len(judged)} code problems have "
                               f"{what}" + (f"; not yet: {', '.join(missing)}" if missing else "."),
                               style="yellow" if missing else ""))
    bad = sum(1 for r in reports if not r.ok)
    console.print(Text(f"{len(reports) - bad} of {len(reports)} problems valid.",
                       style="bold green" if not bad else "bold red"))


@contextlib.contextmanager
def batch_progress(console: Console, total: int, where: str, plain: bool) -> Iterator:
    """A progress bar with throughput and time left; yields the function to call per result."""
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    progress = Progress(TextColumn(f"grading on {where}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                        TextColumn("left"), TimeRemainingColumn(), console=console,
                        disable=plain)
    started = time.monotonic()
    with progress:
        task = progress.add_task("", total=total, rate="")

        def advance(row: object = None) -> None:
            done = progress.tasks[0].completed + 1
            rate = done / max(time.monotonic() - started, 1e-9)
            progress.update(task, advance=1, rate=f"{rate:.1f}/s")

        yield advance


def render_class_report(console: Console, outcome, plain: bool) -> None:
    """Totals, then per problem: the known mistakes found, the checks failing most, scores."""
    t = outcome.totals
    console.print(Text(
        f"{t.submissions} graded: {t.passed} passed, {t.failed} failed, {t.errors} could not "
        f"be graded; mean score {100 * t.mean_score:.0f}%"
        + (f" ({t.resumed} kept from the previous run)" if t.resumed else "")))
    for report in outcome.reports:
        console.print(Text(f"\n{report.problem_id} · {report.title}: {report.passed} of "
                           f"{report.learners} passed", style="bold"))
        for m in report.mistakes[:5]:
            console.print(Text(f"  {m.learners} of {report.learners}: {m.title} ({m.mistake_id})"))
        if report.failing_checks:
            worst = ", ".join(f"{name} ({n})" for name, n in report.failing_checks[:3])
            console.print(Text(f"  failing most: {worst}", style="dim"))
        spread = "  ".join(f"{b}: {n}" for b, n in report.scores.items())
        console.print(Text(f"  scores: {spread}", style="dim"))
    console.print(Text(f"\nWrote {t.csv_path}, {outcome.mistakes_csv} and {t.results_dir}/"))
