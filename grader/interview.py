"""Timed mock interviews: a problem you did not choose, a clock, a follow-up, a scorecard.

An interview is a row in the progress store (migration m003), never a running
process: every command asks `expire()` first, which ends an interview whose time
is up as of its deadline. While one runs, `submit` and `watch` on its problem
grade its own attempt (`<workspace>/interviews/<n>-<problem>/attempt.py`, so the
practice attempt is untouched) and count; `hint` counts; the solution is locked.
It ends at the first pass, at `--stop`, or when the time is up; then one
follow-up question from the problem's `[[followups]]`, and the scorecard.

Time comes from `now`, so tests drive a whole interview without sleeping.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from attn_practice.grader.catalog import Catalog, Kind, Problem
from attn_practice.grader.errors import GraderError, InterviewError
from attn_practice.grader.interview_records import (
    COLUMNS, EndReason, Event, Interview, Scorecard, clock, counted_message, ended_message,
    interview_from_row, scorecard,
)
from attn_practice.grader.progress import ProgressStore

__all__ = ["EndReason", "Interview", "Interviews", "Scorecard", "clock"]

DEFAULT_MINUTES = {"easy": 20, "medium": 35, "hard": 50}
UNSEEN_WEIGHT = 3  # a problem never started is this many times likelier to be picked
FOLDER = "interviews"


class Interviews:
    """Every interview operation, over the progress store and the catalog."""

    def __init__(self, store: ProgressStore, catalog: Catalog | Callable[[], Catalog],
                 workspace: Path, now: Callable[[], float] = time.time,
                 rng: random.Random | None = None, lang: str = "en") -> None:
        self.store, self._catalog, self.workspace = store, catalog, workspace
        self.now, self.lang = now, lang
        self.rng = rng or random.Random()

    @property
    def catalog(self) -> Catalog:
        """Loaded only when needed: noticing that the time is up does not need it."""
        if not isinstance(self._catalog, Catalog):
            self._catalog = self._catalog()
        return self._catalog

    # -- reading ---------------------------------------------------------------------

    def get(self, interview_id: int) -> Interview:
        with self.store.reading() as db:
            row = db.execute(f"SELECT {COLUMNS} FROM interviews WHERE id = ?",
                             (interview_id,)).fetchone()
        if row is None:
            raise InterviewError(f"There is no interview number {interview_id}.")
        return interview_from_row(row)

    def _running_row(self) -> Interview | None:
        with self.store.reading() as db:
            row = db.execute(f"SELECT {COLUMNS} FROM interviews WHERE ended_at IS NULL").fetchone()
        return interview_from_row(row) if row else None

    def running(self) -> Interview | None:
        """The interview in progress, once any whose time is up has been ended."""
        self.expire()
        return self._running_row()

    def last(self) -> Interview | None:
        with self.store.reading() as db:
            row = db.execute(f"SELECT {COLUMNS} FROM interviews ORDER BY id DESC LIMIT 1").fetchone()
        return interview_from_row(row) if row else None

    def pending_followup(self) -> Interview | None:
        """The latest finished interview whose follow-up has not been answered."""
        self.expire()
        last = self.last()
        return last if last is not None and last.followup_pending else None

    def events(self, interview_id: int) -> list[Event]:
        with self.store.reading() as db:
            rows = db.execute("SELECT at, kind, status, diagnosis FROM interview_events "
                              "WHERE interview_id = ? ORDER BY at, id", (interview_id,)).fetchall()
        return [Event(*r) for r in rows]

    def history(self, limit: int = 20) -> list[Scorecard]:
        with self.store.reading() as db:
            rows = db.execute(f"SELECT {COLUMNS} FROM interviews WHERE ended_at IS NOT NULL "
                              "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [self.scorecard(interview_from_row(r)) for r in rows]

    def scorecard(self, interview: Interview) -> Scorecard:
        try:
            problem: Problem | None = self.catalog.get(interview.problem_id)
        except GraderError:  # a problem removed since: the scorecard still reads
            problem = None
        return scorecard(interview, self.events(interview.id), problem, self.lang, self.now())

    # -- the clock -------------------------------------------------------------------

    def expire(self) -> Interview | None:
        """End the running interview if its time is up (as of its deadline); the ended one."""
        current = self._running_row()
        if current is None or self.now() < current.deadline:
            return None
        with self.store.writing() as db:
            db.execute("UPDATE interviews SET ended_at = ?, end_reason = ? "
                       "WHERE id = ? AND ended_at IS NULL",
                       (current.deadline, EndReason.TIME_UP.value, current.id))
        return self.get(current.id)

    # -- starting and stopping -------------------------------------------------------------

    def choose(self, difficulty: str | None = None, tag: str | None = None) -> Problem:
        """A code problem not passed yet, weighted towards those never started."""
        summary = self.store.summary()
        with self.store.reading() as db:
            interviewed = {r[0] for r in db.execute("SELECT DISTINCT problem_id FROM interviews")}
        candidates = [p for p in self.catalog.problems
                      if p.kind is Kind.CODE
                      and (difficulty is None or p.difficulty == difficulty)
                      and (tag is None or tag in p.tags)
                      and not (p.id in summary and summary[p.id].status == "passed")]
        if not candidates:
            which = " ".join(x for x in (difficulty, f"tagged {tag}" if tag else None) if x)
            raise InterviewError(
                f"You have passed every {which + ' ' if which else ''}code problem.",
                hint="Retake one with `attn-practice interview --problem ID`.")
        weights = [1 if p.id in summary or p.id in interviewed else UNSEEN_WEIGHT
                   for p in candidates]
        return self.rng.choices(candidates, weights=weights)[0]

    def start(self, problem: Problem | None = None, difficulty: str | None = None,
              tag: str | None = None, minutes: float | None = None) -> Interview:
        current = self.running()
        if current is not None:
            raise InterviewError(
                f"An interview on {current.problem_id} is running "
                f"({clock(current.seconds_left(self.now()))} left).",
                hint="See it with `attn-practice interview --status`, or end it with "
                     "`attn-practice interview --stop`.")
        waiting = self.pending_question()
        if waiting is not None:
            raise InterviewError(f"The follow-up question of your interview on "
                                 f"{waiting[0].problem_id} is waiting for an answer.",
                                 hint="Answer it with `attn-practice interview`.")
        if problem is None:
            problem = self.choose(difficulty, tag)
        elif problem.kind is not Kind.CODE:
            raise InterviewError(f"{problem.id} is a quiz; interviews are on code problems.",
                                 hint="Pick one with `attn-practice list --kind code`.")
        if minutes is not None and minutes <= 0:
            raise InterviewError("--minutes must be more than 0.")
        from attn_practice.grader import followups

        with self.store.reading() as db:
            asked = db.execute("SELECT count(*) FROM interviews WHERE problem_id = ?",
                               (problem.id,)).fetchone()[0]
        started = self.now()
        with self.store.writing() as db:
            cursor = db.execute(
                "INSERT INTO interviews (problem_id, started_at, minutes, attempt_path, followup_id)"
                " VALUES (?, ?, ?, '', ?)",
                (problem.id, started, float(minutes or DEFAULT_MINUTES[problem.difficulty]),
                 followups.pick(problem, asked)))
            iid = int(cursor.lastrowid)
            path = self.workspace / FOLDER / f"{iid:03d}-{problem.id}" / problem.attempt_name
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(problem.stub_path, path)
            except OSError as err:
                raise InterviewError(f"Cannot write {path}: {err.strerror}",
                                     hint="Choose another workspace with --workspace PATH.") from err
            db.execute("UPDATE interviews SET attempt_path = ? WHERE id = ?", (str(path), iid))
        return self.get(iid)

    def stop(self) -> Interview:
        current = self.running()
        if current is None:
            raise InterviewError("No interview is running.",
                                 hint="Start one with `attn-practice interview`.")
        with self.store.writing() as db:
            db.execute("UPDATE interviews SET ended_at = ?, end_reason = ? "
                       "WHERE id = ? AND ended_at IS NULL",
                       (self.now(), EndReason.STOPPED.value, current.id))
        return self.get(current.id)

    # -- what the other commands do while an interview runs ----------------------------------

    def running_on(self, problem: Problem) -> Interview | None:
        current = self.running()
        return current if current is not None and current.problem_id == problem.id else None

    def record_submission(self, interview: Interview, status: str,
                          diagnosis: str | None) -> Interview:
        """Count a graded submission; the first pass ends the interview. The interview after."""
        at = self.now()
        with self.store.writing() as db:
            db.execute("INSERT INTO interview_events (interview_id, at, kind, status, diagnosis) "
                       "VALUES (?, ?, 'submit', ?, ?)", (interview.id, at, status, diagnosis))
            if status == "pass":
                db.execute("UPDATE interviews SET ended_at = ?, end_reason = ?, first_pass_at = ? "
                           "WHERE id = ? AND ended_at IS NULL",
                           (at, EndReason.PASSED.value, at, interview.id))
        return self.get(interview.id)

    def next_hint(self, interview: Interview, available: int) -> int:
        """The interview's own next hint (from the first), counted; its 0-based index."""
        at = self.now()
        with self.store.writing() as db:
            shown = db.execute("SELECT count(*) FROM interview_events WHERE interview_id = ? "
                               "AND kind = 'hint'", (interview.id,)).fetchone()[0]
            index = min(shown, available - 1)
            db.execute("INSERT INTO interview_events (interview_id, at, kind, hint_index) "
                       "VALUES (?, ?, 'hint', ?)", (interview.id, at, index))
            db.execute("INSERT INTO hint_log (problem_id, shown_at, hint_index, interview_id) "
                       "VALUES (?, ?, ?, ?)", (interview.problem_id, at, index, interview.id))
            db.execute("INSERT INTO hints VALUES (?, ?, ?) ON CONFLICT(problem_id) DO UPDATE "
                       "SET shown = max(shown, excluded.shown), updated_at = excluded.updated_at",
                       (interview.problem_id, index + 1, at))
        return index

    # -- the follow-up ---------------------------------------------------------------------

    def answer_followup(self, given: Any, lang: str):  # -> (Followup, CheckResult, Interview)
        from attn_practice.grader import followups

        waiting = self.pending_question()
        if waiting is None:
            raise InterviewError("No follow-up question is waiting for an answer.",
                                 hint="Start an interview with `attn-practice interview`.")
        pending, f = waiting
        check = followups.grade(f, given, lang)
        with self.store.writing() as db:
            db.execute("UPDATE interviews SET followup_answer = ?, followup_correct = ?, "
                       "followup_at = ? WHERE id = ? AND followup_at IS NULL",
                       (json.dumps(given, ensure_ascii=False), int(check.status.value == "pass"),
                        self.now(), pending.id))
        return f, check, self.get(pending.id)

    def pending_question(self):  # -> (Interview, Followup) | None
        """The interview waiting for its follow-up, and the question. A question that is gone
        from problem.toml since (or broken) is dropped, so it never blocks the next interview."""
        from attn_practice.grader import followups

        pending = self.pending_followup()
        if pending is None:
            return None
        try:
            return pending, followups.followup(self.catalog.get(pending.problem_id),
                                               pending.followup_id or "")
        except GraderError:
            with self.store.writing() as db:
                db.execute("UPDATE interviews SET followup_id = NULL WHERE id = ?", (pending.id,))
            return None

    # -- what to tell the learner -----------------------------------------------------------

    def ended_message(self, interview: Interview) -> str:
        return ended_message(interview)

    def counted_message(self, interview: Interview) -> str:
        n = sum(1 for e in self.events(interview.id) if e.kind == "submit")
        return counted_message(interview, n, self.now())
