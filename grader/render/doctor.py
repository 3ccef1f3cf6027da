"""`doctor`: the sandbox's layers as a table, and the one-line summary `grade` prints."""

from __future__ import annotations

import json

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from attn_practice.grader.sandbox.doctor import SandboxReport, State

_STYLE = {State.ACTIVE: "green", State.MISSING: "bold red"}


def render_doctor(console: Console, report: SandboxReport, plain: bool) -> None:
    abi = f"Landlock ABI {report.landlock_abi}" if report.landlock_abi else "no Landlock"
    console.print(Text.assemble(("Sandbox layers", "bold"),
                                f" on {report.platform}, kernel {report.kernel} ({abi})"))
    table = Table(box=box.ASCII if plain else box.SIMPLE)
    for name in ("layer", "state", "stops", "detail"):
        table.add_column(name, no_wrap=name in ("layer", "state"))
    for layer in report.layers:
        table.add_row(layer.title, Text(layer.state.value, style=_STYLE[layer.state]),
                      Text(layer.stops), Text(layer.detail))
    console.print(table)
    if report.probe_error:
        console.print(Text(f"No sandbox could start: {report.probe_error}", style="bold red"))
    for note in report.notes:
        console.print(Text(f"note: {note}", style="yellow"))
    if report.hides_answers:
        console.print(Text("The kernel keeps the answers and the rest of the machine out of "
                            "reach of an attempt.", style="green"))
    else:
        console.print(Text("Weak sandbox: nothing in the kernel hides the answers from an "
                           "attempt (Landlock is missing). `grade` refuses to run without "
                           "--allow-weak-sandbox; grade strangers' code in a container.",
                           style="bold red"))


def render_doctor_json(report: SandboxReport) -> str:
    return json.dumps(report.to_dict(), indent=2)


def summary_line(report: SandboxReport) -> str:
    """One line for `grade`: what is on, what is missing."""
    active = [x.name for x in report.layers if x.active]
    missing = [x.name for x in report.layers if not x.active]
    abi = f"Landlock ABI {report.landlock_abi}" if report.landlock_abi else "no Landlock"
    text = f"Sandbox ({abi}): {', '.join(active) or 'nothing'} active"
    if missing:
        text += f"; missing: {', '.join(missing)}"
    return text
