"""The learner's report on a terminal: Rich with colour, or the same content in plain text."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from attn_practice.grader.render.heat import weight_grids
from attn_practice.grader.render.text import (
    KIND_LABEL, comparison_rows, comparison_summary, fmt_num, frame_lines)
from attn_practice.grader.catalog import Kind
from attn_practice.grader.results import (
    CheckResult, CodeFrame, Comparison, Status, SubmissionResult,
)

FULL_PANELS = 3  # failing checks shown in full; the rest are listed in a table
INLINE_NUMEL = 9  # input tensors up to this size are printed with their values
SIDE_BY_SIDE_COLUMNS = 5  # wider matrices are shown one above the other
VERDICT_STYLE = {Status.PASS: "bold green", Status.FAIL: "bold red", Status.ERROR: "bold magenta"}
VERDICT_WORD = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.ERROR: "ERROR"}


def render_submission(console: Console, result: SubmissionResult, title: str,
                      plain: bool) -> None:
    b = box.ASCII if plain else box.ROUNDED
    console.print(_header(result, title, plain))
    if result.kind is Kind.QUIZ and result.status is not Status.ERROR:
        for check in result.checks:
            console.print(_question_panel(check, b))
        console.print(_footer(result, plain))
        return
    if result.status is Status.ERROR:
        console.print(_error_panel(result, b))
    failing = result.failing
    shown: list[CheckResult] = []
    seen_messages: set[str] = set()
    most = 1 if result.common_failure else FULL_PANELS  # one reason: one example of it
    for check in failing:
        key = f"{check.kind}:{check.message}" if check.comparison is None else check.name
        if len(shown) < most and key not in seen_messages:
            shown.append(check)
            seen_messages.add(key)
    for check in shown:
        # no colour to shade with (a pipe, NO_COLOR): grids and matrices in characters
        console.print(_check_panel(check, result, b, plain or console.color_system is None))
    rest = [c for c in failing if c not in shown]
    if rest and result.common_failure:
        console.print(Text(f"The other {len(rest)} failing checks fail the same way: "
                           f"{_names([c.name for c in rest])}.", style="dim"))
    elif rest:
        console.print(_rest_table(rest, b))
    if result.load_output.strip():
        console.print(Panel(Text(result.load_output.rstrip()), title="printed while importing",
                            box=b, title_align="left"))
    console.print(_footer(result, plain))


def _header(result: SubmissionResult, title: str, plain: bool) -> RenderableType:
    verdict = Text(VERDICT_WORD[result.status], style=VERDICT_STYLE[result.status])
    line = Text.assemble(verdict, "  ", (title, "bold"))
    body = [line]
    if result.total:
        pct = round(100 * result.score)
        noun = "questions right" if result.kind is Kind.QUIZ else "checks passed"
        points = "" if all(c.max_points == 1 for c in result.checks) else \
            f", {result.points:g} of {result.max_points:g} points"  # problem.toml [points]
        body.append(Text(f"{result.passed}/{result.total} {noun}{points} ({pct}%)"))
        own = [c for c in result.checks if getattr(c, "scoring", "auto") == "self"
               and c.status is Status.PASS]
        if own:
            body.append(Text(f"{len(own)} of them self-assessed ({', '.join(c.name for c in own)}): "
                             "your own marks, not checked by the grader", style="cyan"))
    if result.status is Status.ERROR:
        body.append(Text("Your attempt could not be graded: " + result.message))
    if result.diagnosis:
        d = result.diagnosis
        explained = [c.name for c in result.failing if c.diagnosis == d.mistake_id]
        body.append(Text.assemble(("Looks like a known mistake: ", "bold yellow"),
                                  (d.title, "bold yellow")))
        body.append(Text(d.explanation))
        extra = "" if d.matched == d.compared else "; the others fail for another reason"
        body.append(Text(f"It explains {d.matched} of {d.compared} failing checks"
                         f" ({_names(explained)}){extra}.", style="dim"))
    elif result.findings:
        body.append(Text("No known mistake matches, but probing your function found:",
                         style="bold yellow"))
        for finding in result.findings:
            body.append(Text.assemble(("- " + finding.title + ": ", "yellow"), finding.explanation))
    elif result.status is Status.FAIL and result.kind is Kind.CODE:
        common = result.common_failure
        if common:  # a forgotten return, the stub's NotImplementedError...: say it up front
            body.append(Text.assemble((f"All {len(result.failing)} failing checks fail the same "
                                       "way: ", "bold yellow"), common))
        else:
            body.append(Text("No known mistake matches this attempt; see the first failing "
                             "check.", style="dim"))
    return Panel(Group(*body), box=box.ASCII if plain else box.HEAVY,
                 border_style=VERDICT_STYLE[result.status].split()[-1], expand=False)


def _error_panel(result: SubmissionResult, b: box.Box) -> RenderableType:
    parts: list[RenderableType] = [Text(result.message, style="bold")]
    frames = result.error_traceback.frames if result.error_traceback else []
    if not frames and result.error_frame:
        frames = [result.error_frame]
    for frame in frames:
        parts.append(_frame(frame))
    return Panel(Group(*parts), title="could not grade", title_align="left", box=b,
                 border_style="magenta")


def _check_panel(check: CheckResult, result: SubmissionResult, b: box.Box,
                 plain: bool) -> RenderableType:
    parts: list[RenderableType] = []
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")  # fold, never cut: Chinese text has no spaces to wrap at
    grid.add_row("Checked", Text(check.description))
    if check.call:
        grid.add_row("Input", Text(check.call.signature()))
        small = [(name or f"argument {i}", s) for i, (name, s) in enumerate(check.call.args)
                 if s.values is not None and s.kind == "tensor"
                 and s.shape is not None and _numel(s.shape) <= INLINE_NUMEL]
        for name, summary in small[:3]:
            grid.add_row("", Text(f"{name} = {_inline(summary.values)}"))
    explained = bool(check.diagnosis and result.diagnosis
                     and check.diagnosis == result.diagnosis.mistake_id)
    headline = _headline(check)
    if headline:
        grid.add_row("Failed", Text(headline, style="red"))
    parts.append(grid)
    if check.comparison:
        parts.append(_comparison(check.comparison, b, plain))
    grids = [c for c in check.also if c.grid_expected is not None]
    if grids and (check.comparison is None or check.comparison.grid_expected is None):
        parts.append(weight_grids(grids[0], plain))  # the weights, the thing to look at
    if check.traceback and check.traceback.frames:
        parts.append(Text("Your code:", style="bold"))
        for frame in check.traceback.frames[-3:]:
            parts.append(_frame(frame))
    if check.diagnosis and not explained:
        parts.append(Text.assemble(("Diagnosis: ", "bold yellow"),
                                   f"this check fails the way known mistake {check.diagnosis!r} does."))
    if check.output.strip():
        parts.append(Panel(Text(check.output.rstrip()[-1500:]), title="your code printed",
                           box=b, title_align="left"))
    label = KIND_LABEL.get(check.kind, "failed") if check.kind else "failed"
    if explained:
        label += "; the known mistake above"
    return Panel(Group(*parts), title=Text(f"x {check.name}  ({label})"), title_align="left", box=b,
                 border_style="red")


def _headline(check: CheckResult) -> str:
    """The check's message without what the comparison below already says (once is enough)."""
    if check.comparison is None:
        return check.message
    own = f"{check.comparison.what}:"
    return "\n".join(line for line in check.message.splitlines() if not line.startswith(own))


def _names(names: list[str], most: int = 3) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _question_panel(check: CheckResult, b: box.Box) -> RenderableType:
    ok = check.status is Status.PASS
    own = getattr(check, "scoring", "auto") == "self"  # a self-assessed free-text question
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("Question", Text(check.description))
    if own and getattr(check, "answer", ""):
        grid.add_row("Your answer", Text(check.answer))
        grid.add_row("Model answer", Text(getattr(check, "model_answer", "")))
        for i, point in enumerate(getattr(check, "key_points", [])):
            box_ = "[x]" if point["state"].startswith("marked") else "[ ]"
            need = "" if point["required"] else " (optional)"
            grid.add_row("Key points" if i == 0 else "",
                         Text(f"{box_} {point['id']}: {point['label']}{need}"
                              + ("" if point["state"] in ("marked", "not marked")
                                 else f"  <- {point['state'].split(', ', 1)[-1]}")))
    grid.add_row("Your marks" if own else "Yours", Text(check.message, style=("green" if ok else "red") if not own
                               else ("cyan" if ok else "red")))
    grid.add_row("Why", Text(check.explanation))
    mark = "ok" if ok else "x"
    label = f"{mark} {check.name}" + ("  (self-assessed)" if own else "")
    return Panel(grid, title=Text(label), title_align="left", box=b,
                 border_style=("cyan" if own else "green") if ok else "red")


def _comparison(comp: Comparison, b: box.Box, plain: bool) -> RenderableType:
    table = Table(box=b, show_edge=True)
    table.add_column(comp.what, style="bold")
    table.add_column("expected")
    table.add_column("yours")
    for what, exp, act in comparison_rows(comp):
        style = "red" if exp != act else ""
        table.add_row(what, exp, Text(act, style=style))
    parts: list[RenderableType] = [table]
    parts += [Text(line, style="dim" if "allowed" in line else "") for line in comparison_summary(comp)]
    if comp.grid_expected is not None and comp.grid_actual is not None:
        parts.append(weight_grids(comp, plain))
    elif comp.expected_values is not None and comp.actual_values is not None:
        heat = "weight" in comp.what and not plain
        if _columns(comp.expected_values) <= SIDE_BY_SIDE_COLUMNS:
            side = Table.grid(padding=(0, 3))
            side.add_row(Text("expected", style="bold"), Text("yours", style="bold"))
            side.add_row(_matrix(comp.expected_values, heat), _matrix(comp.actual_values, heat))
            parts.append(side)
        else:  # too wide to sit side by side: one above the other, never cut
            parts += [Text("expected", style="bold"), _matrix(comp.expected_values, heat),
                      Text("yours", style="bold"), _matrix(comp.actual_values, heat)]
    return Group(*parts)


def _columns(values: Any) -> int:
    while isinstance(values, list) and values and isinstance(values[0], list):
        values = values[0]
    return len(values) if isinstance(values, list) else 1


def _matrix(values: Any, heat: bool) -> RenderableType:
    rows = values if isinstance(values, list) and values and isinstance(values[0], list) else [values]
    if rows and rows[0] and isinstance(rows[0][0], list):  # 3-D: show the first matrix
        rows = rows[0]
    grid = Table.grid(padding=(0, 1))
    for _ in range(_columns(rows)):
        grid.add_column(no_wrap=True, overflow="ignore")
    for row in rows if isinstance(rows, list) else [[rows]]:
        cells = row if isinstance(row, list) else [row]
        grid.add_row(*[_cell(v, heat) for v in cells])
    return grid


def _cell(value: Any, heat: bool) -> Text:
    text = fmt_num(value) if isinstance(value, float) else str(value)
    if heat and isinstance(value, float) and 0.0 <= value <= 1.0:
        level = int(232 + round(value * 23))  # the 24-step grey ramp of 256 colours
        return Text(f"{text:>7}", style=f"{'black' if value > 0.5 else 'white'} on color({level})")
    return Text(f"{text:>7}")


def _inline(values: Any) -> str:
    text = str(_short(values))
    return text if len(text) <= 160 else text[:157] + "..."


def _short(values: Any) -> Any:
    if isinstance(values, list):
        return [_short(v) for v in values]
    return float(f"{values:.4g}") if isinstance(values, float) else values


def _numel(shape: list[int]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _frame(frame: CodeFrame) -> RenderableType:
    lines = frame_lines(frame)
    out = Text()
    out.append(lines[0] + "\n", style="cyan")
    for line in lines[1:]:
        style = "bold" if line.startswith(" >") else ("red" if line.strip().startswith("^") else "dim")
        out.append(line + "\n", style=style)
    out.rstrip()
    return out


def _rest_table(rest: list[CheckResult], b: box.Box) -> RenderableType:
    """The other failing checks, one row per distinct problem (a stub fails them all alike)."""
    groups: dict[str, list[CheckResult]] = {}
    for check in rest:
        key = check.message if check.comparison is None else check.name
        groups.setdefault(key, []).append(check)
    table = Table(title=f"{len(rest)} more failing checks", box=b, title_justify="left")
    table.add_column("check", no_wrap=True)
    table.add_column("problem", overflow="fold")
    for checks in groups.values():
        first = checks[0]
        name = first.name + (f" (+{len(checks) - 1} more alike)" if len(checks) > 1 else "")
        message = first.message if len(first.message) < 140 else first.message[:137] + "..."
        table.add_row(Text(name), Text(message))
    return table


def _footer(result: SubmissionResult, plain: bool) -> RenderableType:
    t = result.timing
    parts = []
    if result.total and result.kind is Kind.CODE:
        parts.append(Text(
            f"Timing: {t.total_seconds:.2f} s in all (sandbox start {t.sandbox_start_seconds:.2f} s, "
            f"checks {t.tests_seconds:.2f} s, diagnosis {t.diagnosis_seconds:.2f} s"
            + (f", probes {t.probe_seconds:.2f} s" if t.probe_seconds else "")
            + (f", cost {t.cost_seconds:.2f} s" if t.cost_seconds else "") + ")", style="dim"))
    parts.extend(cost_lines(result))
    if result.next_step:
        parts.append(Text.assemble(("Next: ", "bold"), result.next_step))
    return Group(*parts)


def cost_lines(result: SubmissionResult) -> list[Text]:
    """What the attempt costs against the reference, or why it could not be measured (the
    report's footer; `watch` prints it after the report, once measured)."""
    perf = result.performance
    if perf is not None:
        return [Text.assemble(
            ("Cost ", "bold"), f"on {perf.input}: yours {1000 * perf.attempt_seconds:.1f} ms and "
            f"{perf.attempt_peak_bytes / 2**20:.1f} MiB, the reference "
            f"{1000 * perf.reference_seconds:.1f} ms and {perf.reference_peak_bytes / 2**20:.1f} "
            f"MiB: {perf.verdict}.")]
    if result.cost_note:
        return [Text.assemble(("Cost ", "bold"), "not measured: your function failed on the "
                              f"larger input ({result.cost_note}).")]
    return []
