"""What App methods return to the command line and the notebook: views as data.

Views, and the records read from problem files and the progress store, are NamedTuples:
immutable like a frozen dataclass, at a sixth of its cost to create the class, which every
command pays at start-up (on Python 3.11, 0.08 ms against 0.5 ms a class). Results that
are turned into JSON field by field (grader/results.py) stay dataclasses."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # the progress store (sqlite3) is imported only where it is used
    from attn_practice.grader.progress import SubmissionRow


class ListRow(NamedTuple):
    """One problem as `list` shows it, with the learner's status."""

    id: str
    title: str
    kind: str
    difficulty: str
    tags: tuple[str, ...]
    status: str  # new | started | failed | passed | broken
    best_score: float | None
    error: str | None = None
    review_due: bool = False  # something of this problem is due in `review`


class HintView(NamedTuple):
    """The hint `hint` shows next."""

    index: int  # 0-based
    total: int
    text: str


class SolutionView(NamedTuple):
    """The reference solution, and whether it was shown before the problem was passed."""

    path: Path
    source: str
    forced: bool


class TagProgress(NamedTuple):
    """Problems passed of those with one tag."""

    tag: str
    passed: int
    total: int


class ProgressView(NamedTuple):
    """What `progress` shows: totals, streaks, tags, recent submissions."""

    passed: int
    total: int
    attempted: int
    submissions: int
    current_streak: int
    longest_streak: int
    tags: list[TagProgress]
    recent: list[SubmissionRow]


class BatchOutcome(NamedTuple):
    """What `grade` wrote and found, for the instructor's summary."""

    totals: object  # grader.batch.Totals
    reports: list  # grader.classreport.ProblemReport, one per problem
    mistakes_csv: Path
