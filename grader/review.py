"""`review`: what to practise today, from the learner's own history.

Items, each on one spaced schedule:

- a **mistake**: a known mistake of a problem that a submission was diagnosed as
  (`submissions.diagnosis`);
- a **finding**: the same for a probe finding, recorded as `probe:<kind>` in the
  same column (the kind is one of grader/kinds.py), so it enters the queue the
  same way;
- a **problem**: one failed and not passed yet, or passed only with a hint or
  after seeing the solution, or an interview on it that ended unsolved.

The rule (README, "Review"): a relapse (the mistake diagnosed again; for a
problem, a pass that was not clean, a forced reveal, an unsolved interview)
makes the item due at once, at stage 0. A *clean* pass (no hint shown and no
solution revealed for that problem in the 24 hours before it, and an attempt
that differs from every earlier pass of that problem) made when the item is due
advances it one stage: due again 1, 3, 7, 21 days later; the fifth is the last.
For a mistake or finding, a clean pass of any problem whose mistakes share its
kind counts (the one suggested, or the problem itself); for a problem, a clean
pass of that problem. A clean pass before the due date changes nothing.

Everything here is a pure function of the history and `now`: tests drive a
schedule across simulated days without waiting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from attn_practice.grader.catalog import Catalog, Kind, Problem
from attn_practice.grader.kinds import MISTAKE_KINDS, PROBE_PREFIX, finding_kind
from attn_practice.grader.progress import ProgressStore

DAY = 86_400.0
INTERVALS_DAYS = (1, 3, 7, 21)
CLEAN_WINDOW = DAY  # a hint or reveal this long before a pass makes it not clean


class Submission(NamedTuple):
    """A submission as the schedule reads it."""

    problem_id: str
    at: float
    status: str
    sha: str
    diagnosis: str | None


@dataclass
class History:
    """Everything the schedule is computed from."""

    submissions: list[Submission] = field(default_factory=list)
    hints: dict[str, list[float]] = field(default_factory=dict)  # problem -> times shown
    reveals: dict[str, list[tuple[float, bool]]] = field(default_factory=dict)  # (time, forced)
    unsolved_interviews: dict[str, list[float]] = field(default_factory=dict)  # problem -> ended


class Suggestion(NamedTuple):
    """The problem to practise an item on, and why that one."""

    problem_id: str
    title: str
    command: str
    why: str


class ReviewItem(NamedTuple):
    """A mistake, finding or problem on the schedule."""

    key: str  # mistake:problem9:no-scaling | finding:problem9:probe:scale | problem:problem9
    kind: str  # mistake | finding | problem
    problem_id: str
    mistake_id: str | None
    title: str
    tags: tuple[str, ...]
    reason: str
    stage: int  # clean reviews since the last relapse
    due_at: float
    last_relapse: float | None
    suggestion: Suggestion | None

    def is_due(self, now: float) -> bool:
        return self.due_at <= now


class Queue(NamedTuple):
    """The review queue at `now`: due items first, then upcoming ones."""

    now: float
    items: tuple[ReviewItem, ...]  # due first (mistakes and findings before problems), then later

    @property
    def due(self) -> list[ReviewItem]:
        return [i for i in self.items if i.is_due(self.now)]

    @property
    def upcoming(self) -> list[ReviewItem]:
        return [i for i in self.items if not i.is_due(self.now)]

    def due_problems(self) -> set[str]:
        return {i.problem_id for i in self.due}


def load_history(store: ProgressStore) -> History:
    h = History()
    with store.reading() as db:
        h.submissions = [Submission(*r) for r in db.execute(
            "SELECT problem_id, submitted_at, status, attempt_sha256, diagnosis FROM submissions "
            "ORDER BY submitted_at, id")]
        for pid, at in db.execute("SELECT problem_id, shown_at FROM hint_log"):
            h.hints.setdefault(pid, []).append(at)
        for pid, at, forced in db.execute("SELECT problem_id, revealed_at, forced FROM reveals"):
            h.reveals.setdefault(pid, []).append((at, bool(forced)))
        for pid, ended in db.execute("SELECT problem_id, ended_at FROM interviews "
                                     "WHERE ended_at IS NOT NULL AND first_pass_at IS NULL"):
            h.unsolved_interviews.setdefault(pid, []).append(ended)
    return h


def build_queue(history: History, catalog: Catalog, now: float) -> Queue:
    code = {p.id: p for p in catalog.problems if p.kind is Kind.CODE}
    passes = _passes(history)
    items = [*_mistake_items(history, code, passes), *_problem_items(history, code, passes)]
    due = sorted((i for i in items if i.is_due(now)),
                 key=lambda i: (i.kind == "problem", i.due_at, i.key))
    later = sorted((i for i in items if not i.is_due(now)), key=lambda i: (i.due_at, i.key))
    return Queue(now, tuple(due + later))


# --- clean passes ------------------------------------------------------------------------


class _Pass(NamedTuple):
    """A passing submission, and whether it counts as a clean review."""

    problem_id: str
    at: float
    clean: bool  # no hint or reveal for the problem within CLEAN_WINDOW before it
    novel: bool  # an attempt that no earlier pass of this problem submitted


def _passes(history: History) -> list[_Pass]:
    out, seen = [], {}
    for s in history.submissions:
        if s.status != "pass":
            continue
        shas = seen.setdefault(s.problem_id, set())
        helped = any(s.at - CLEAN_WINDOW <= t <= s.at for t in history.hints.get(s.problem_id, [])) \
            or any(s.at - CLEAN_WINDOW <= t <= s.at for t, _ in history.reveals.get(s.problem_id, []))
        out.append(_Pass(s.problem_id, s.at, not helped, s.sha not in shas))
        shas.add(s.sha)
    return out


@dataclass
class _Schedule:
    """One item's place on the spaced schedule."""

    stage: int = 0
    due_at: float = 0.0
    last_relapse: float | None = None  # None: never relapsed, so not an item
    uses: dict[str, int] = field(default_factory=dict)  # problem -> clean reviews it gave

    def relapse(self, at: float) -> None:
        self.stage, self.due_at, self.last_relapse = 0, at, at

    def review(self, p: _Pass) -> None:
        if p.clean and p.novel and p.at >= self.due_at and not self.retired:
            self.stage += 1
            self.uses[p.problem_id] = self.uses.get(p.problem_id, 0) + 1
            if not self.retired:
                self.due_at = p.at + DAY * INTERVALS_DAYS[self.stage - 1]

    @property
    def retired(self) -> bool:
        return self.stage > len(INTERVALS_DAYS)


# --- mistakes and probe findings -----------------------------------------------------------


def _mistake_items(history: History, code: dict[str, Problem],
                   passes: list[_Pass]) -> Iterable[ReviewItem]:
    keys = dict.fromkeys((s.problem_id, s.diagnosis) for s in history.submissions
                         if s.diagnosis and s.problem_id in code)
    for pid, diagnosis in keys:
        problem = code[pid]
        mistake = next((m for m in problem.mistakes if m.id == diagnosis), None)
        if mistake is not None:
            kind, tags, title = "mistake", mistake.tags, mistake.title["en"]
        elif diagnosis.startswith(PROBE_PREFIX):
            found = finding_kind(diagnosis)
            kind, tags = "finding", ((found,) if found else ())
            title = f"Found by a probe: {MISTAKE_KINDS.get(found or '', diagnosis)}"
        else:  # a mistake renamed or removed since: still the learner's, with no kind
            kind, tags, title = "mistake", (), diagnosis
        related = {pid} | {q.id for q in code.values() if _shared(q, tags)}
        relapses = [s.at for s in history.submissions
                    if s.problem_id == pid and s.diagnosis == diagnosis]
        schedule = _replay(relapses, [p for p in passes if p.problem_id in related])
        if schedule.retired:
            continue
        n = len(relapses)
        reason = f"diagnosed {'once' if n == 1 else f'{n} times'} in {pid}"
        yield ReviewItem(f"{kind}:{pid}:{diagnosis}", kind, pid, diagnosis, title, tuple(tags),
                         reason, schedule.stage, schedule.due_at, schedule.last_relapse,
                         _suggest_for_mistake(problem, tags, code, schedule, passes))


def _replay(relapses: list[float], passes: list[_Pass]) -> _Schedule:
    schedule = _Schedule()
    events = sorted([(t, 0, None) for t in relapses] + [(p.at, 1, p) for p in passes],
                    key=lambda e: (e[0], e[1]))
    for at, is_pass, p in events:
        if not is_pass:
            schedule.relapse(at)
        elif schedule.last_relapse is not None:
            schedule.review(p)
    return schedule


def _shared(problem: Problem, tags: Iterable[str]) -> set[str]:
    wanted = set(tags)
    return {t for m in problem.mistakes for t in m.tags if t in wanted}


def _suggest_for_mistake(origin: Problem, tags: tuple[str, ...], code: dict[str, Problem],
                         schedule: _Schedule, passes: list[_Pass]) -> Suggestion:
    passed = {p.problem_id for p in passes}
    others = [q for q in code.values() if q.id != origin.id and _shared(q, tags)]
    if not others:
        why = ("no other problem catches this kind of mistake yet: solve this one again from a "
               "fresh stub")
        return Suggestion(origin.id, origin.title["en"], _command(origin, origin.id in passed), why)
    # least used for this item, most kinds in common, not passed yet (a new setting), simplest
    best = min(others, key=lambda q: (schedule.uses.get(q.id, 0), -len(_shared(q, tags)),
                                      q.id in passed, q.number))
    shared = sorted(_shared(best, tags))
    example = next(m for m in best.mistakes if set(m.tags) & set(shared))
    why = (f"its checks catch the same kind of mistake ({', '.join(shared)}), e.g. "
           f"\"{example.title['en']}\"")
    return Suggestion(best.id, best.title["en"], _command(best, best.id in passed), why)


def _command(problem: Problem, passed: bool) -> str:
    """A passed problem is met again from a fresh stub, in an interview; others are started."""
    n = problem.number
    return f"attn-practice interview --problem {n}" if passed else f"attn-practice start {n}"


# --- problems ---------------------------------------------------------------------------------


def _problem_items(history: History, code: dict[str, Problem],
                   passes: list[_Pass]) -> Iterable[ReviewItem]:
    for pid, problem in code.items():
        events: list[tuple[float, str, _Pass | None]] = []
        events += [(s.at, "fail", None) for s in history.submissions
                   if s.problem_id == pid and s.status != "pass"]
        events += [(p.at, "pass", p) for p in passes if p.problem_id == pid]
        events += [(t, "reveal", None) for t, forced in history.reveals.get(pid, []) if forced]
        events += [(t, "interview", None) for t in history.unsolved_interviews.get(pid, [])]
        if not events:
            continue
        schedule, reason, unfinished, ever_passed = _Schedule(), "", False, False
        for at, what, p in sorted(events, key=lambda e: e[0]):
            if what == "fail":
                if not ever_passed and schedule.last_relapse is None:
                    schedule.relapse(at)
                    unfinished, reason = True, "failed, not passed yet"
            elif what == "pass" and p is not None:
                ever_passed = True
                if p.clean and unfinished:  # solved unaided: nothing to review
                    schedule, unfinished, reason = _Schedule(), False, ""
                elif not p.clean:
                    schedule.relapse(at)
                    unfinished, reason = False, "passed only with a hint or the solution"
                elif schedule.last_relapse is not None:
                    schedule.review(p)
            elif what == "reveal":
                schedule.relapse(at)
                unfinished = False
                reason = "solution revealed before passing"
            else:  # an interview that ended unsolved: the next clean pass is a review
                schedule.relapse(at)
                unfinished = False
                reason = "an interview on it ended unsolved"
        if schedule.last_relapse is None or schedule.retired:
            continue
        if unfinished:
            why = "finish it: your attempt does not pass yet"
            command = f"attn-practice submit {problem.number}"
        else:
            why = ("solve it again from a fresh stub, without hints" if ever_passed
                   else "solve it without hints or the solution")
            command = _command(problem, ever_passed)
        suggestion = Suggestion(pid, problem.title["en"], command, why)
        yield ReviewItem(f"problem:{pid}", "problem", pid, None, problem.title["en"], (), reason,
                         schedule.stage, schedule.due_at, schedule.last_relapse, suggestion)
