"""The records of a mock interview (rows of the progress store), its scorecard and what
the learner is told about it; grader/interview.py runs interviews over these."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from attn_practice.grader.catalog import Problem


class EndReason(str, Enum):
    PASSED = "passed"
    STOPPED = "stopped"
    TIME_UP = "time-up"


@dataclass(frozen=True)
class Interview:
    """One mock interview: its problem, its clock, how it ended, its follow-up."""

    id: int
    problem_id: str
    started_at: float
    minutes: float
    attempt_path: Path
    followup_id: str | None
    ended_at: float | None = None
    end_reason: EndReason | None = None
    first_pass_at: float | None = None
    followup_answer: Any = None
    followup_correct: bool | None = None
    followup_at: float | None = None

    @property
    def deadline(self) -> float:
        return self.started_at + 60 * self.minutes

    @property
    def running(self) -> bool:
        return self.ended_at is None

    @property
    def followup_pending(self) -> bool:
        return not self.running and self.followup_id is not None and self.followup_at is None

    def seconds_left(self, now: float) -> float:
        return max(0.0, self.deadline - now) if self.running else 0.0


@dataclass(frozen=True)
class Event:
    """A submission or a hint during an interview."""

    at: float
    kind: str  # submit | hint
    status: str | None  # submit: pass | fail | error
    diagnosis: str | None


@dataclass(frozen=True)
class Scorecard:
    """What an interview comes to: the scorecard `interview --status` shows."""

    interview: Interview
    title: str
    difficulty: str
    solved: bool
    seconds_to_pass: float | None
    seconds_used: float
    submissions: int
    failed_submissions: int
    hints: int
    mistakes: tuple[tuple[str, str], ...]  # (mistake or finding id, its title), first seen first
    followup: str  # right | wrong | pending | none


COLUMNS = ("id, problem_id, started_at, minutes, attempt_path, followup_id, ended_at, end_reason, "
            "first_pass_at, followup_answer, followup_correct, followup_at")


def interview_from_row(row: tuple) -> Interview:
    (iid, pid, started, minutes, path, fid, ended, reason, first_pass, answer, correct, fat) = row
    return Interview(iid, pid, started, minutes, Path(path), fid, ended,
                     EndReason(reason) if reason else None, first_pass,
                     json.loads(answer) if answer is not None else None,
                     None if correct is None else bool(correct), fat)


def clock(seconds: float) -> str:
    """12:05 for 725 seconds; 1:02:05 past an hour."""
    s = int(round(seconds))
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def scorecard(interview: Interview, events: list[Event], problem: Problem | None, lang: str,
              now: float) -> Scorecard:
    """The scorecard of an interview from its events (`problem` None: removed since)."""
    submits = [e for e in events if e.kind == "submit"]
    titles = {m.id: m.title.get(lang) or m.title["en"] for m in problem.mistakes} \
        if problem else {}
    seen: dict[str, str] = {}
    for e in submits:
        if e.diagnosis and e.diagnosis not in seen:
            seen[e.diagnosis] = titles.get(e.diagnosis, e.diagnosis)
    end = interview.ended_at if interview.ended_at is not None else now
    if interview.followup_id is None:
        followup = "none"
    elif interview.followup_at is None:
        followup = "pending"
    else:
        followup = "right" if interview.followup_correct else "wrong"
    return Scorecard(
        interview=interview,
        title=problem.title_in(lang) if problem else interview.problem_id,
        difficulty=problem.difficulty if problem else "?",
        solved=interview.first_pass_at is not None,
        seconds_to_pass=(interview.first_pass_at - interview.started_at
                         if interview.first_pass_at is not None else None),
        seconds_used=min(end, interview.deadline) - interview.started_at,
        submissions=len(submits),
        failed_submissions=sum(1 for e in submits if e.status != "pass"),
        hints=sum(1 for e in events if e.kind == "hint"),
        mistakes=tuple(seen.items()),
        followup=followup,
    )


def ended_message(interview: Interview) -> str:
    next_step = ("Run `attn-practice interview` for the follow-up question and your scorecard."
                 if interview.followup_pending else
                 "Run `attn-practice interview --status` for your scorecard.")
    if interview.end_reason is EndReason.TIME_UP:
        return (f"Your interview on {interview.problem_id} is over: its {interview.minutes:g} "
                f"minutes were up at {time.strftime('%H:%M', time.localtime(interview.deadline))}. "
                + next_step)
    if interview.end_reason is EndReason.PASSED:
        took = clock((interview.first_pass_at or interview.started_at) - interview.started_at)
        return f"Interview over: {interview.problem_id} solved in {took}. " + next_step
    return f"Interview on {interview.problem_id} stopped. " + next_step


def counted_message(interview: Interview, submissions: int, now: float) -> str:
    return (f"Interview: submission {submissions} counted; {clock(interview.seconds_left(now))} "
            f"left (attn-practice interview --status).")
