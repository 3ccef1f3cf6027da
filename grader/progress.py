"""The progress store: every submission, hint and reveal, in SQLite inside the workspace.

Schema changes are numbered migrations (`m001_initial`, ...) applied in order
and recorded in `_migrations`. Each write is one short transaction in WAL mode
with a busy timeout, so two terminals (or a watch and a submit) never lose a row.
A database file that is not SQLite, or is damaged, is moved aside and a new one
started; the caller is told where the old one went.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from attn_practice.grader.errors import ProgressStoreError

DB_NAME = "progress.sqlite3"
BUSY_TIMEOUT_MS = 30_000


def m001_initial(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE submissions (
            id INTEGER PRIMARY KEY,
            problem_id TEXT NOT NULL,
            submitted_at REAL NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'error')),
            score REAL NOT NULL,
            passed INTEGER NOT NULL,
            total INTEGER NOT NULL,
            duration_s REAL NOT NULL,
            attempt_sha256 TEXT NOT NULL,
            diagnosis TEXT
        )""")
    db.execute("CREATE INDEX submissions_problem ON submissions (problem_id, submitted_at)")
    db.execute("""
        CREATE TABLE hints (
            problem_id TEXT PRIMARY KEY,
            shown INTEGER NOT NULL DEFAULT 0,
            updated_at REAL NOT NULL
        )""")
    db.execute("""
        CREATE TABLE reveals (
            id INTEGER PRIMARY KEY,
            problem_id TEXT NOT NULL,
            revealed_at REAL NOT NULL,
            forced INTEGER NOT NULL
        )""")


def m002_starts(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE starts (
            problem_id TEXT PRIMARY KEY,
            started_at REAL NOT NULL
        )""")


def m003_interviews(db: sqlite3.Connection) -> None:
    """Mock interviews and their scorecards (grader/interview.py), and a log of every hint
    shown, so that review can tell a pass made with a hint from a clean one."""
    db.execute("""
        CREATE TABLE interviews (
            id INTEGER PRIMARY KEY,
            problem_id TEXT NOT NULL,
            started_at REAL NOT NULL,
            minutes REAL NOT NULL,
            attempt_path TEXT NOT NULL,
            followup_id TEXT,
            ended_at REAL,
            end_reason TEXT CHECK (end_reason IN ('passed', 'stopped', 'time-up')),
            first_pass_at REAL,
            followup_answer TEXT,
            followup_correct INTEGER,
            followup_at REAL
        )""")
    # at most one interview runs at a time, whatever two terminals do
    db.execute("CREATE UNIQUE INDEX interviews_one_running ON interviews ((1)) WHERE ended_at IS NULL")
    db.execute("""
        CREATE TABLE interview_events (
            id INTEGER PRIMARY KEY,
            interview_id INTEGER NOT NULL REFERENCES interviews (id),
            at REAL NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('submit', 'hint')),
            status TEXT,
            diagnosis TEXT,
            hint_index INTEGER
        )""")
    db.execute("CREATE INDEX interview_events_interview ON interview_events (interview_id, at)")
    db.execute("""
        CREATE TABLE hint_log (
            id INTEGER PRIMARY KEY,
            problem_id TEXT NOT NULL,
            shown_at REAL NOT NULL,
            hint_index INTEGER NOT NULL,
            interview_id INTEGER
        )""")
    # hints shown before this migration: only the last one's time is known
    db.execute("INSERT INTO hint_log (problem_id, shown_at, hint_index) "
               "SELECT problem_id, updated_at, shown - 1 FROM hints WHERE shown > 0")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [m001_initial, m002_starts,
                                                           m003_interviews]


def _up_to_date(db: sqlite3.Connection) -> bool:
    """Whether every migration is applied (and the file sound), reading only."""
    try:
        applied = db.execute("SELECT max(number) FROM _migrations").fetchone()[0]
    except sqlite3.OperationalError as err:
        if "no such table" in str(err):  # a new store
            return False
        raise
    if (applied or 0) < len(MIGRATIONS):
        return False
    _check_sound(db)
    return True


def _check_sound(db: sqlite3.Connection) -> None:
    """PRAGMA quick_check answers "ok", or rows saying what is damaged (it does not raise)."""
    answer = db.execute("PRAGMA quick_check").fetchone()
    if answer is None or answer[0] != "ok":
        raise sqlite3.DatabaseError(f"quick_check: {answer[0] if answer else 'no answer'}")


class ProblemProgress(NamedTuple):
    """A problem's line in the learner's progress."""

    problem_id: str
    status: str  # new | started | failed | passed
    best_score: float | None
    attempts: int
    hints_shown: int
    revealed: bool


class SubmissionRow(NamedTuple):
    """One recorded submission."""

    problem_id: str
    submitted_at: float
    status: str
    score: float
    passed: int
    total: int
    duration_s: float
    diagnosis: str | None


class ProgressStore:
    def __init__(self, workspace: Path, now: Callable[[], float] = time.time) -> None:
        self.path = workspace / DB_NAME
        self.now = now  # the clock every record is stamped with (tests pass a fake one)
        self.moved_aside: Path | None = None
        self.reported = False  # whether the user was told about moved_aside
        workspace.mkdir(parents=True, exist_ok=True)
        try:
            self._migrate()
        except sqlite3.DatabaseError as err:
            if isinstance(err, sqlite3.OperationalError) and "locked" in str(err):
                raise ProgressStoreError(f"The progress store {self.path} is locked: {err}") from err
            self._move_aside()
            self._migrate()

    # -- connection and schema ---------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            yield db
        finally:
            db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _migrate(self) -> None:
        with self._connect() as db:
            if _up_to_date(db):  # read only: a command that only reads never waits on a writer
                return
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("CREATE TABLE IF NOT EXISTS _migrations "
                           "(number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL)")
                done = {row[0] for row in db.execute("SELECT number FROM _migrations")}
                for number, migration in enumerate(MIGRATIONS, start=1):
                    if number not in done:
                        migration(db)
                        db.execute("INSERT INTO _migrations VALUES (?, ?, ?)",
                                   (number, migration.__name__, time.time()))
                _check_sound(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _move_aside(self) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(self.path) + suffix)
            if src.exists():
                src.replace(Path(str(target) + suffix))
        self.moved_aside = target

    def reading(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """A connection for companion modules that keep their own tables here (interviews)."""
        return self._connect()

    def writing(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One short write transaction, as every record here uses."""
        return self._write()

    def interview_running(self) -> bool:
        """Whether an interview (grader/interview.py) has not ended yet."""
        with self._connect() as db:
            return db.execute("SELECT 1 FROM interviews WHERE ended_at IS NULL").fetchone() is not None

    def schema_version(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT max(number) FROM _migrations").fetchone()[0] or 0)

    # -- writes --------------------------------------------------------------------

    def record_submission(self, problem_id: str, status: str, score: float, passed: int,
                          total: int, duration_s: float, attempt_sha256: str,
                          diagnosis: str | None) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO submissions (problem_id, submitted_at, status, score, passed, total,"
                " duration_s, attempt_sha256, diagnosis) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (problem_id, self.now(), status, score, passed, total, duration_s,
                 attempt_sha256, diagnosis))

    def record_start(self, problem_id: str) -> None:
        with self._write() as db:
            db.execute("INSERT OR IGNORE INTO starts VALUES (?, ?)", (problem_id, self.now()))

    def next_hint(self, problem_id: str, available: int) -> int:
        """Count one more hint shown (up to `available`) and return its 0-based index."""
        with self._write() as db:
            row = db.execute("SELECT shown FROM hints WHERE problem_id = ?", (problem_id,)).fetchone()
            shown = row[0] if row else 0
            index = min(shown, available - 1)
            db.execute("INSERT INTO hints VALUES (?, ?, ?) ON CONFLICT(problem_id) DO UPDATE "
                       "SET shown = excluded.shown, updated_at = excluded.updated_at",
                       (problem_id, min(shown + 1, available), self.now()))
            db.execute("INSERT INTO hint_log (problem_id, shown_at, hint_index) VALUES (?, ?, ?)",
                       (problem_id, self.now(), index))
            return index

    def record_reveal(self, problem_id: str, forced: bool) -> None:
        with self._write() as db:
            db.execute("INSERT INTO reveals (problem_id, revealed_at, forced) VALUES (?, ?, ?)",
                       (problem_id, self.now(), int(forced)))

    # -- reads -----------------------------------------------------------------------

    def has_passed(self, problem_id: str) -> bool:
        with self._connect() as db:
            return db.execute("SELECT 1 FROM submissions WHERE problem_id = ? AND status = 'pass'"
                              " LIMIT 1", (problem_id,)).fetchone() is not None

    def summary(self) -> dict[str, ProblemProgress]:
        with self._connect() as db:
            subs = {r[0]: r[1:] for r in db.execute(
                "SELECT problem_id, max(score), count(*), max(status = 'pass') "
                "FROM submissions GROUP BY problem_id")}
            hints = dict(db.execute("SELECT problem_id, shown FROM hints").fetchall())
            reveals = {r[0] for r in db.execute("SELECT DISTINCT problem_id FROM reveals")}
            starts = {r[0] for r in db.execute("SELECT problem_id FROM starts")}
        out = {}
        for pid in set(subs) | set(hints) | reveals | starts:
            best, count, any_pass = subs.get(pid, (None, 0, 0))
            status = "passed" if any_pass else "failed" if count else "started"
            out[pid] = ProblemProgress(pid, status, best, count, hints.get(pid, 0), pid in reveals)
        return out

    def recent(self, limit: int = 10) -> list[SubmissionRow]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT problem_id, submitted_at, status, score, passed, total, duration_s, "
                "diagnosis FROM submissions ORDER BY submitted_at DESC, id DESC LIMIT ?",
                (limit,)).fetchall()
        return [SubmissionRow(*r) for r in rows]

    def activity_days(self) -> list[str]:
        """Distinct local dates (YYYY-MM-DD) with at least one submission, newest first."""
        with self._connect() as db:
            rows = db.execute("SELECT DISTINCT date(submitted_at, 'unixepoch', 'localtime') AS d "
                              "FROM submissions ORDER BY d DESC").fetchall()
        return [r[0] for r in rows]

    def count_submissions(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT count(*) FROM submissions").fetchone()[0])


def streaks(days: list[str], today: str) -> tuple[int, int]:
    """(current streak, longest streak) in days, from distinct activity dates newest first."""
    from datetime import date, timedelta

    parsed = sorted({date.fromisoformat(d) for d in days})
    if not parsed:
        return 0, 0
    longest = run = 1
    for prev, cur in zip(parsed, parsed[1:]):
        run = run + 1 if cur - prev == timedelta(days=1) else 1
        longest = max(longest, run)
    t = date.fromisoformat(today)
    current = 0
    day = t if parsed[-1] == t else t - timedelta(days=1)
    present = set(parsed)
    while day in present:
        current += 1
        day -= timedelta(days=1)
    return current, longest
