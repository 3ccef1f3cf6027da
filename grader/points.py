"""Points per check: problem.toml's `[points]` table, every check equal unless it says otherwise.

    [points]
    total = 100                          # optional: scale the checks to add up to exactly this
    test_gradients_flow = 3              # a test: each of its checks (parametrised cases) is worth 3
    "test_values[float64]" = 5           # one case; wins over its test's base name

A check no key names is worth 1 (a quiz: one point per question). With `total`, the
points are scaled to add up to it, in hundredths. The catalog checks the values;
`validate` checks that every key names a check. Loading never imports torch.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, NamedTuple

from attn_practice.grader.errors import ProblemFormatError

DEFAULT_POINTS = 1.0
TOTAL_KEY = "total"


class Points(NamedTuple):
    """problem.toml [points]: what each check is worth, and the total."""

    total: float | None = None
    weights: tuple[tuple[str, float], ...] = ()  # (check name or test base name, points)

    def weight(self, name: str) -> float:
        """What one check is worth before scaling: its own entry, its test's, or 1."""
        table = dict(self.weights)
        if name in table:
            return table[name]
        return table.get(base_name(name), DEFAULT_POINTS)

    def assign(self, names: list[str]) -> list[float]:
        """The points of each check, in order, scaled to `total` when it is set."""
        raw = [self.weight(n) for n in names]
        return raw if self.total is None else scale(raw, self.total)

    def unknown(self, names: list[str]) -> list[str]:
        """Keys that name no check (neither a check's full name nor its test's base name)."""
        known = set(names) | {base_name(n) for n in names}
        return [key for key, _ in self.weights if key not in known]


def as_number(points: float) -> int | float:
    """Points for JSON: 3 rather than 3.0, and no float noise."""
    return int(points) if float(points).is_integer() else round(points, 4)


def base_name(check: str) -> str:
    """`test_values[float64-m3]` -> `test_values`: the test a parametrised check belongs to."""
    return check.split("[", 1)[0]


def scale(raw: list[float], total: float) -> list[float]:
    """Scale to add up to `total` exactly, in hundredths (largest remainders get the rest)."""
    whole = sum(raw)
    if whole <= 0:
        return [0.0] * len(raw)
    cents = round(total * 100)
    exact = [w * cents / whole for w in raw]
    floors = [math.floor(e) for e in exact]
    by_remainder = sorted(range(len(raw)), key=lambda i: exact[i] - floors[i], reverse=True)
    for i in by_remainder[:cents - sum(floors)]:
        floors[i] += 1
    return [f / 100 for f in floors]


def parse_points(path: Path, raw: Any) -> Points:
    """problem.toml's `[points]` table, or every check equal when there is none."""
    if raw is None:
        return Points()
    if not isinstance(raw, dict):
        raise ProblemFormatError(path, "points", "must be a table: [points]")
    total = None
    weights = []
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ProblemFormatError(path, f"points.{key}", "must be a number")
        if key == TOTAL_KEY:
            if value <= 0:
                raise ProblemFormatError(path, "points.total", "must be more than 0")
            total = float(value)
        elif value < 0:
            raise ProblemFormatError(path, f"points.{key}", "must be 0 or more")
        elif not key.strip():
            raise ProblemFormatError(path, "points", "a key is empty; name a check or a test")
        else:
            weights.append((key, float(value)))
    return Points(total, tuple(weights))


def apply_points(problem: Any, result: Any, when_ungradable: bool = False) -> Any:
    """Give every check of a result its points, and the result what the problem is worth.
    When no check ran, that takes the problem's `total` or, with `when_ungradable`, collecting
    its hidden tests (pytest and torch: seconds a learner at a terminal need not wait)."""
    if result.checks:
        for check, worth in zip(result.checks, problem.points.assign([c.name for c in result.checks])):
            check.max_points = worth
        result.possible_points = round(sum(c.max_points for c in result.checks), 4)
    elif problem.points.total is not None or when_ungradable:
        result.possible_points = possible_points(problem)
    return result


def possible_points(problem: Any) -> float:
    """What a problem is worth in all: its `total`, or the points of every check it has."""
    if problem.points.total is not None:
        return problem.points.total
    return round(sum(problem.points.assign(check_names(problem))), 4)


def check_names(problem: Any) -> list[str]:
    """The names of a problem's checks, without an attempt: question ids, or pytest items."""
    from attn_practice.grader.catalog import Kind

    if problem.kind is Kind.QUIZ:
        from attn_practice.grader.quiz import load_quiz

        return [q.id for q in load_quiz(problem, with_key=False).questions]
    from attn_practice.grader.hidden import collect_check_names

    return collect_check_names(problem)
