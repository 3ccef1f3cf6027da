"""What App methods return to the command line and the notebook: views as data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the progress store (sqlite3) is imported only where it is used
    from attn_practice.grader.progress import SubmissionRow


@dataclass(frozen=True)
class ListRow:
    id: str
    title: str
    kind: str
    difficulty: str
    tags: tuple[str, ...]
    status: str  # new | started | failed | passed | broken
    best_score: float | None
    error: str | None = None
    review_due: bool = False  # something of this problem is due in `review`


@dataclass(frozen=True)
class HintView:
    index: int  # 0-based
    total: int
    text: str


@dataclass(frozen=True)
class SolutionView:
    path: Path
    source: str
    forced: bool


@dataclass(frozen=True)
class TagProgress:
    tag: str
    passed: int
    total: int


@dataclass(frozen=True)
class ProgressView:
    passed: int
    total: int
    attempted: int
    submissions: int
    current_streak: int
    longest_streak: int
    tags: list[TagProgress]
    recent: list[SubmissionRow]


@dataclass(frozen=True)
class BatchOutcome:
    totals: object  # grader.batch.Totals
    reports: list  # grader.classreport.ProblemReport, one per problem
    mistakes_csv: Path
