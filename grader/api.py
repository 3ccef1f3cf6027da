"""What each command does, as plain functions over settings; cli.py only parses and renders.

Heavy modules (torch, pytest, the sandbox) are imported inside the functions that
need them, so `list`, `show` and `hint` start fast.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from attn_practice.grader.catalog import Catalog, Kind, Problem
from attn_practice.grader.config import Settings
from attn_practice.grader.errors import GraderError, SolutionLockedError
from attn_practice.grader.teaching import Teaching
from attn_practice.grader.views import (
    HintView, ListRow, ProgressView, SolutionView, TagProgress,
)
from attn_practice.grader.workspace import StartOutcome, Workspace

if TYPE_CHECKING:
    from attn_practice.grader.progress import ProblemProgress, ProgressStore
    from attn_practice.grader.interview import Interview, Interviews, Scorecard
    from attn_practice.grader.review import Queue


class App(Teaching):
    def __init__(self, settings: Settings, now: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.now = now  # every record's time; interviews and review read it too
        self._catalog: Catalog | None = None
        self._store: ProgressStore | None = None
        self._interviews: Interviews | None = None
        self._interview_notes: list[str] = []
        self.workspace = Workspace(settings.workspace)

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            # a cache for the learner's workspace, never a reason to create one
            cache = self.settings.workspace / ".cache" / "catalog.json" \
                if self.settings.workspace.is_dir() else None
            self._catalog = Catalog.load(self.settings.problems_dir, self.settings.solutions_dir,
                                         cache_file=cache)
        return self._catalog

    @property
    def store(self) -> ProgressStore:
        if self._store is None:
            from attn_practice.grader.progress import ProgressStore  # sqlite: when needed

            self._store = ProgressStore(self.settings.workspace, now=self.now)
        return self._store

    @property
    def interviews(self) -> Interviews:
        if self._interviews is None:
            from attn_practice.grader.interview import Interviews

            self._interviews = Interviews(self.store, lambda: self.catalog, self.settings.workspace,
                                          now=self.now, lang=self.settings.lang)
        return self._interviews

    def problem(self, query: str) -> Problem:
        return self.catalog.get(query)

    # -- learner commands ----------------------------------------------------------

    def list_rows(self, kind: str | None = None, tag: str | None = None,
                  difficulty: str | None = None) -> list[ListRow]:
        has_store = (self.settings.workspace / "progress.sqlite3").exists()
        progress = self.store.summary() if has_store else {}
        due = self.review().due_problems() if has_store else set()
        rows = []
        for p in self.catalog.problems:
            if kind and p.kind.value != kind:
                continue
            if tag and tag not in p.tags:
                continue
            if difficulty and p.difficulty != difficulty:
                continue
            prog = progress.get(p.id)
            status = prog.status if prog else (
                "started" if self.workspace.attempt_path(p).exists() else "new")
            rows.append(ListRow(p.id, p.title_in(self.settings.lang), p.kind.value, p.difficulty,
                                p.tags, status, prog.best_score if prog else None,
                                review_due=p.id in due))
        if not (kind or tag or difficulty):
            for b in self.catalog.broken:
                rows.append(ListRow(b.id, "(cannot be loaded)", "?", "?", (), "broken", None,
                                    error=str(b.error)))
            rows.sort(key=lambda r: int(r.id.removeprefix("problem")) if r.id.removeprefix(
                "problem").isdigit() else 10**9)
        return rows

    def statement(self, problem: Problem, lang: str | None = None) -> str:
        path = problem.statement_path(lang or self.settings.lang)
        if not path.is_file():
            path = problem.statement_path("en")
        return path.read_text(encoding="utf-8")

    def start(self, problem: Problem, force: bool = False) -> StartOutcome:
        outcome = self.workspace.start(problem, force=force, lang=self.settings.lang)
        self.store.record_start(problem.id)
        return outcome

    def start_notebook(self, problem: Problem, force: bool = False) -> StartOutcome:
        """problemN.ipynb in the workspace: the statement, the stub, a check cell."""
        from attn_practice.grader.errors import GraderError
        from attn_practice.grader.notebook import notebook_json

        if problem.kind is not Kind.CODE:
            raise GraderError(f"{problem.id} is a quiz: answer it with `attn-practice quiz "
                              f"{problem.id}`.")
        path = self.settings.workspace / f"{problem.id}.ipynb"
        if path.exists() and not force:
            return StartOutcome(path, created=False)
        backup = None
        if path.exists():
            backup = path.with_name(f"{path.stem}.{time.strftime('%Y%m%d-%H%M%S')}.ipynb")
            path.replace(backup)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(notebook_json(problem, self.statement(problem),
                                      problem.stub_path.read_text(encoding="utf-8")),
                        encoding="utf-8")
        self.store.record_start(problem.id)
        return StartOutcome(path, created=True, backup=backup)

    def reset(self, problem: Problem) -> StartOutcome:
        return self.start(problem, force=True)

    def attempt_path(self, problem: Problem, file: Path | None = None) -> Path:
        """The file `submit` and `watch` grade (during an interview on the problem, its own
        attempt); a clear error if it does not exist."""
        interview = self._interview_on(problem)
        path, _ = self.workspace.read_attempt(problem, file or (
            interview.attempt_path if interview else None))
        return path

    def submit(self, problem: Problem, file: Path | None = None,
               points_when_ungradable: bool = False,
               measure_cost: bool = True):  # -> SubmissionResult
        from attn_practice.grader.engine import grade

        interview = self._interview_on(problem)
        path, source = self.workspace.read_attempt(problem, file or (
            interview.attempt_path if interview else None))
        result = grade(problem, path, source, lang=self.settings.lang,
                       points_when_ungradable=points_when_ungradable, measure_cost=measure_cost)
        self.record(result)
        if interview is not None:
            self._count_in_interview(interview, result)
        return result

    def cost_of(self, problem: Problem, result):  # (SubmissionResult) -> SubmissionResult
        """Measure the cost `submit(measure_cost=False)` skipped (`watch`), into the result:
        its `performance`, or its `cost_note` when the attempt fails on the larger input.
        Nothing when the file has been saved again since (its next grading will say)."""
        import hashlib

        from attn_practice.grader.engine import measure_cost

        path = Path(result.attempt_path)
        try:
            source = path.read_bytes()
        except OSError:
            return result
        if hashlib.sha256(source).hexdigest() != result.attempt_sha256:
            return result
        return measure_cost(problem, path, source, result)

    def quiz_questions(self, problem: Problem):  # -> tuple[Question, ...]
        from attn_practice.grader.quiz import load_quiz

        if problem.kind is not Kind.QUIZ:
            from attn_practice.grader.errors import GraderError

            raise GraderError(f"{problem.id} is a code problem, not a quiz.",
                              hint=f"Write it with `attn-practice start {problem.id}`.")
        return load_quiz(problem, with_key=False).questions

    def submit_quiz_answers(self, problem: Problem, answers: dict):  # -> SubmissionResult
        """Save interactive answers as the workspace sheet, then grade and record it."""
        from attn_practice.grader.quiz import filled_sheet

        path = self.workspace.attempt_path(problem)
        if path.exists():
            self.workspace.start(problem, force=True, lang=self.settings.lang)  # keeps a backup
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(filled_sheet(problem, answers, self.settings.lang), encoding="utf-8")
        self.store.record_start(problem.id)
        return self.submit(problem)

    def notices(self) -> list[str]:
        """Things the user should hear about once, whatever the command (a damaged store...)."""
        store = self._store
        if store is not None and store.moved_aside is not None and not store.reported:
            store.reported = True
            return [f"the progress store was damaged; it was moved to {store.moved_aside} "
                    "and a new one started."]
        return []

    def record(self, result) -> None:  # result: SubmissionResult
        self.store.record_submission(
            result.problem_id, result.status.value, result.score, result.passed, result.total,
            result.timing.total_seconds, result.attempt_sha256,
            result.diagnosis.mistake_id if result.diagnosis else
            (result.findings[0].id if result.findings else None))

    def hint(self, problem: Problem) -> HintView:
        if not problem.hints:
            return HintView(0, 0, "This problem has no hints.")
        interview = self._interview_on(problem)
        if interview is not None:  # the interview's own hints, from the first, each counted
            index = self.interviews.next_hint(interview, len(problem.hints))
            self._interview_notes.append(f"Interview: hint {index + 1} counted.")
        else:
            index = self.store.next_hint(problem.id, len(problem.hints))
        text = problem.hints[index].text
        return HintView(index, len(problem.hints), text.get(self.settings.lang) or text["en"])

    def solution(self, problem: Problem, force: bool = False) -> SolutionView:
        if self._interview_on(problem) is not None:
            raise SolutionLockedError(
                f"The solution of {problem.id} is locked until your interview on it ends.",
                hint="End it with `attn-practice interview --stop`.")
        passed = self.store.has_passed(problem.id)
        if not passed and not force:
            raise SolutionLockedError(
                f"The solution of {problem.id} opens once you pass it.",
                hint=f"Keep going (`attn-practice hint {problem.id}`), or see it now with "
                     f"`attn-practice solution {problem.id} --force` (recorded as a reveal).")
        path = problem.solution_path
        self.store.record_reveal(problem.id, forced=not passed)
        return SolutionView(path, path.read_text(encoding="utf-8"), forced=not passed)

    def progress(self, today: str | None = None) -> ProgressView:
        self._check_interview_clock()
        summary: dict[str, ProblemProgress] = self.store.summary()
        problems = self.catalog.problems
        passed = {pid for pid, p in summary.items() if p.status == "passed"}
        tags: dict[str, list[str]] = {}
        for p in problems:
            for tag in p.tags:
                tags.setdefault(tag, []).append(p.id)
        day = today or time.strftime("%Y-%m-%d")
        from attn_practice.grader.progress import streaks

        current, longest = streaks(self.store.activity_days(), day)
        return ProgressView(
            passed=len(passed & {p.id for p in problems}), total=len(problems),
            attempted=sum(1 for p in summary.values() if p.attempts),
            submissions=self.store.count_submissions(),
            current_streak=current, longest_streak=longest,
            tags=[TagProgress(t, len(passed & set(ids)), len(ids)) for t, ids in sorted(tags.items())],
            recent=self.store.recent(10),
        )

    # -- interviews and review (grader/interview.py, grader/review.py) ------------------

    def interview_start(self, problem: Problem | None = None, difficulty: str | None = None,
                        tag: str | None = None, minutes: float | None = None) -> Interview:
        self._check_interview_clock()
        return self.interviews.start(problem, difficulty, tag, minutes)

    def interview_running(self) -> Interview | None:
        self._check_interview_clock()
        return self.interviews.running()

    def interview_stop(self) -> Interview:
        self._check_interview_clock()
        return self.interviews.stop()

    def interview_followup(self):  # -> tuple[Interview, Followup] | None
        """The follow-up question waiting for an answer, if any."""
        self._check_interview_clock()
        return self.interviews.pending_question()

    def interview_answer(self, given):  # -> tuple[Followup, CheckResult, Scorecard]
        followup, check, interview = self.interviews.answer_followup(given, self.settings.lang)
        return followup, check, self.interviews.scorecard(interview)

    def interview_scorecard(self, interview: Interview | None = None) -> Scorecard | None:
        """The scorecard (so far) of an interview; by default the latest one."""
        interview = interview or self.interviews.last()
        return self.interviews.scorecard(interview) if interview else None

    def interview_history(self) -> list[Scorecard]:
        return self.interviews.history()

    def interview_notes(self) -> list[str]:
        """What the command should tell about the interview (counted, ended), once. Called
        after every command, so whichever comes first after the time is up notices it."""
        if (self.settings.workspace / "progress.sqlite3").exists():
            try:
                self._check_interview_clock()
            except GraderError:  # a locked store: the next command will notice instead
                pass
        notes, self._interview_notes = self._interview_notes, []
        return notes

    def review(self) -> Queue:
        from attn_practice.grader.review import build_queue, load_history

        self._check_interview_clock()
        return build_queue(load_history(self.store), self.catalog, self.now())

    def _check_interview_clock(self) -> None:
        """Time-up is noticed by the next command: end the interview as of its deadline.
        (With none running, as for most commands, grader/interview.py is not even imported.)"""
        if self._interviews is None and not self.store.interview_running():
            return
        ended = self.interviews.expire()
        if ended is not None:
            self._interview_notes.append(self.interviews.ended_message(ended))

    def _interview_on(self, problem: Problem) -> Interview | None:
        self._check_interview_clock()
        return self.interviews.running_on(problem)

    def _count_in_interview(self, interview: Interview, result) -> None:
        after = self.interviews.record_submission(
            interview, result.status.value,
            result.diagnosis.mistake_id if result.diagnosis else None)
        self._interview_notes.append(self.interviews.ended_message(after) if not after.running
                                     else self.interviews.counted_message(after))
