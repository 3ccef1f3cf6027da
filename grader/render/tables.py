"""Tables for `list`, `progress` and `validate`."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

STATUS_STYLE = {"new": "dim", "started": "cyan", "failed": "red", "passed": "green",
                "broken": "bold magenta"}


def render_list(console: Console, rows: list, plain: bool) -> None:
    """One line a problem, in aligned columns (as `docker ps` or `kubectl get`). The title
    wraps only on a narrow terminal; the tags (secondary: `show` lists them, `--tag`
    filters) are cut short, or left out when the terminal has no room for them."""
    if not rows:
        console.print("No problem matches: `attn-practice list` shows them all.")
        return
    due = any(getattr(r, "review_due", False) for r in rows)
    names = ["id", "title", "kind", "level", "status", "best", "tags"] + (["review"] if due else [])
    cells = [[r.id, r.title, r.kind, r.difficulty, r.status,
              "-" if r.best_score is None else f"{round(100 * r.best_score)}%", ", ".join(r.tags),
              *(["due" if r.review_due else ""] if due else [])] for r in rows]
    widths = _list_widths(console.width, names, cells)
    if widths[names.index("tags")] == 0:
        widths.pop(names.index("tags"))
        for cell in cells:
            cell.pop(names.index("tags"))
        names.remove("tags")
    lines = [Text("attn-practice problems", style="bold"),
             _list_line(names, widths, plain, style="bold")]
    for cell in cells:
        lines.extend(_list_row(console, cell, names, widths, plain))
    console.print(Text("\n").join(lines), no_wrap=True, overflow="crop", crop=False)
    if "tags" not in names:
        console.print(Text("Tags: `attn-practice show <id>` lists a problem's, "
                           "`attn-practice list --tag <tag>` filters by one.", style="dim"))
    if due:
        count = sum(1 for r in rows if r.review_due)
        console.print(Text(f"{count} problem(s) due for review: attn-practice review",
                           style="yellow"))
    for r in rows:
        if r.error:
            console.print(Text(f"{r.id}: {r.error}", style="magenta"))


GAP = "  "
TITLE_MIN, TAGS_MIN = 40, 20


def _list_widths(total: int, names: list[str], cells: list[list[str]]) -> list[int]:
    """Every column but title and tags is as wide as its widest cell; the title takes what it
    needs of the rest, or all but 20 columns of it (it wraps), and the tags what is left.
    With fewer than 40 + 20 columns left the tags are left out (width 0) for the title."""
    widths = [max([cell_len(name), *(cell_len(c[i]) for c in cells)])
              for i, name in enumerate(names)]
    title, tags = names.index("title"), names.index("tags")
    fixed = sum(w for i, w in enumerate(widths) if i not in (title, tags))
    free = total - fixed - len(GAP) * len(names)
    if free >= TITLE_MIN + TAGS_MIN:
        widths[title] = min(widths[title], free - TAGS_MIN)
        widths[tags] = min(widths[tags], free - widths[title])
    else:  # without the tags column and its gap
        widths[title], widths[tags] = max(10, min(widths[title], free + len(GAP))), 0
    return widths


def _list_row(console: Console, cell: list[str], names: list[str], widths: list[int],
              plain: bool) -> list[Text]:
    """A problem's line, and the lines its title wraps onto."""
    title, status = names.index("title"), names.index("status")
    styles = {status: STATUS_STYLE.get(cell[status], "")}
    if cell[-1] == "due":
        styles[len(names) - 1] = "bold yellow"
    wrapped = [cell[title]] if cell_len(cell[title]) <= widths[title] else [
        line.plain for line in Text(cell[title]).wrap(console, widths[title])]
    rows = [_list_line([*cell[:title], wrapped[0], *cell[title + 1:]], widths, plain, styles)]
    for more in wrapped[1:]:
        rows.append(_list_line([more if i == title else "" for i in range(len(names))],
                               widths, plain))
    return rows


def _list_line(values: list[str], widths: list[int], plain: bool,
               styles: dict[int, str] | None = None, style: str = "") -> Text:
    line = Text(GAP, style=style)
    for i, (value, width) in enumerate(zip(values, widths)):
        cell = Text(value)
        cell.stylize((styles or {}).get(i, ""))  # the value, not its padding
        if cell.cell_len > width:
            if plain:  # ASCII for pipes and files
                cell.truncate(width - 3)
                cell.append("...")
            else:
                cell.truncate(width, overflow="ellipsis")
        cell.pad_right(width - cell.cell_len)
        line.append_text(cell)
        if i < len(values) - 1:
            line.append(GAP)
    line.rstrip()
    return line


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
