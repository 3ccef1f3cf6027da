"""Attention weights as shaded grids: expected beside yours, masked positions marked.

With colour, each cell is a grey square as light as its weight; in plain text, a
character ramp from ' ' (0) to '@' (1), so the picture survives logs and pipes. A
position whose expected weight is exactly 0 (a masked key) is marked 'x'.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from attn_practice.grader.results import Comparison

RAMP = " .:-=+*#%@"


def weight_grids(comp: Comparison, plain: bool) -> RenderableType:
    expected, actual = comp.grid_expected, comp.grid_actual
    where = f" [{', '.join(map(str, comp.grid_at))}]" if comp.grid_at else ""
    side = Table.grid(padding=(0, 4))
    side.add_row(Text(f"expected {comp.what}{where}", style="bold"),
                 Text(f"yours{where}", style="bold"))
    side.add_row(_grid(expected, expected, plain), _grid(actual, expected, plain))
    legend = (f"shade: weight 0 '{RAMP[0]}' to 1 '{RAMP[-1]}'" if plain else
              "shade: weight 0 (dark) to 1 (light)") + "; x: a masked key (expected weight 0)"
    return Group(side, Text(legend, style="dim"))


def _grid(values: Any, expected: Any, plain: bool) -> Text:
    out = Text()
    for row, exp_row in zip(values, expected):
        for value, exp in zip(row, exp_row):
            out.append_text(_cell(value, exp == 0.0, plain))
        out.append("\n")
    out.rstrip()
    return out


def _cell(value: Any, masked: bool, plain: bool) -> Text:
    if not isinstance(value, (int, float)) or value != value:  # NaN, or not a number
        return Text("??", style="bold red")
    level = min(max(float(value), 0.0), 1.0)
    if plain:
        mark = "x" if masked and value == 0 else RAMP[round(level * (len(RAMP) - 1))]
        return Text(("x " if mark == "x" else mark * 2) if not (masked and value != 0)
                    else "!" + RAMP[round(level * (len(RAMP) - 1))])
    grey = 232 + round(level * 23)  # the 24-step grey ramp of 256 colours
    if masked:
        return Text(" x" if value == 0 else " !", style=f"bold red on color({grey})")
    return Text("  ", style=f"on color({grey})")
