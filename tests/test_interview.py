"""Mock interviews, driven in-process with a fake clock: nothing sleeps, nothing keeps running."""

from __future__ import annotations

import functools
import random
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli
import attn_practice.grader.api as grader_api
from attn_practice.grader.catalog import Catalog
from attn_practice.grader.interview import Interviews
from attn_practice.grader.progress import ProgressStore

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()
START = 1_800_000_000.0  # 2027-01-15, a fixed "now"


class FakeClock:
    def __init__(self, t: float = START) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, *, minutes: float = 0, days: float = 0) -> None:
        self.t += 60 * minutes + 86_400 * days


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Every App the CLI makes reads this clock."""
    fake = FakeClock()
    monkeypatch.setattr(grader_api, "App", functools.partial(grader_api.App, now=fake))
    return fake


def run(*args: str, input: str | None = None):
    return runner.invoke(cli.app, list(args), input=input)


def flat(text: str) -> str:
    return " ".join(text.split())


def interviews_row(workspace: Path) -> dict:
    with sqlite3.connect(workspace / "progress.sqlite3") as db:
        db.row_factory = sqlite3.Row
        return dict(db.execute("SELECT * FROM interviews ORDER BY id DESC LIMIT 1").fetchone())


def test_a_whole_interview(clock: FakeClock, temp_workspace: Path) -> None:
    run("start", "9")
    practice = temp_workspace / "problem9" / "attempt.py"
    practice.write_text("# my practice attempt\n")

    started = run("interview", "--problem", "9", "--minutes", "30")
    assert started.exit_code == 0, started.output
    out = " ".join(started.stdout.split())
    assert "Interview 1 · problem9 · Scaled dot-product attention with a mask · medium" in out
    assert "30 minutes" in out and "Worked example" in out  # the statement is shown
    attempt = temp_workspace / "interviews" / "001-problem9" / "attempt.py"
    assert attempt.read_text() == (REPO / "problems/problem9/stub.py").read_text()
    assert str(attempt) in out

    # a failing submission: graded from the interview's own attempt, counted, diagnosed
    clock.advance(minutes=5)
    shutil.copy(REPO / "problems/problem9/mistakes/no_scaling.py", attempt)
    wrong = run("submit", "9")
    assert wrong.exit_code == 1
    assert "Scores not divided by sqrt(d)" in wrong.stdout
    assert "Interview: submission 1 counted; 25:00 left" in flat(wrong.stderr)

    # a hint: the interview's first, counted; the solution stays locked, even with --force
    clock.advance(minutes=2)
    hint = run("hint", "9")
    assert hint.exit_code == 0 and "Hint 1 of 4" in hint.stdout
    assert "Interview: hint 1 counted." in flat(hint.stderr)
    for args in (["solution", "9"], ["solution", "9", "--force"]):
        locked = run(*args)
        assert locked.exit_code == 2 and "locked until your interview on it ends" in flat(locked.stderr)

    status = run("interview", "--status")
    assert status.exit_code == 0
    assert "23:00 left of 30:00" in status.stdout
    assert "Submissions: 1   hints: 1" in status.stdout and "no-scaling" in status.stdout

    # the first pass ends the interview
    clock.advance(minutes=5)
    shutil.copy(REPO / "solutions/problem9.py", attempt)
    right = run("submit", "9")
    assert right.exit_code == 0, right.stdout
    assert "Interview over: problem9 solved in 12:00." in flat(right.stderr)
    assert "attn-practice interview` for the follow-up" in flat(right.stderr)
    assert run("solution", "9").exit_code == 0  # unlocked: the interview is over, and passed

    # the follow-up question (numeric: 8 GiB), then the scorecard
    clock.advance(minutes=1)
    answered = run("interview", "--answer", "8")
    assert answered.exit_code == 0, answered.output
    card = " ".join(answered.stdout.split())
    assert "how many GiB" in card and "Right" in card and "2^33 bytes = 8 GiB" in card
    assert "solved | yes, in 12:00 of 30:00" in card
    assert "submissions | 2 (1 failing)" in card and "hints used | 1" in card
    assert "no-scaling: Scores not divided by sqrt(d)" in card
    assert "follow-up | right" in card

    # kept in the progress store, shown by `progress`; the practice attempt is untouched
    row = interviews_row(temp_workspace)
    assert row["problem_id"] == "problem9" and row["end_reason"] == "passed"
    assert row["first_pass_at"] - row["started_at"] == 12 * 60
    assert row["followup_id"] == "cost" and row["followup_correct"] == 1
    progress = run("progress")
    assert progress.exit_code == 0
    line = next(x for x in progress.stdout.splitlines() if "problem9" in x and "12:00/30:00" in x)
    assert "yes" in line and "no-scaling" in line and "right" in line
    assert practice.read_text() == "# my practice attempt\n"
    assert run("interview", "--answer", "8").exit_code == 2  # nothing is waiting any more


def test_time_up_is_noticed_by_the_next_command(clock: FakeClock, temp_workspace: Path) -> None:
    started = run("interview", "--problem", "5")
    assert started.exit_code == 0 and "20 minutes" in started.stdout  # easy: 20 by default
    attempt = temp_workspace / "interviews" / "001-problem5" / "attempt.py"
    shutil.copy(REPO / "solutions/problem5.py", attempt)

    clock.advance(minutes=21)
    listed = run("list")  # any command notices it
    assert listed.exit_code == 0
    assert "Your interview on problem5 is over: its 20 minutes were up" in flat(listed.stderr)
    assert "is over" not in run("list").stderr  # said once

    late = run("submit", "5", "--file", str(attempt))  # graded as practice, not counted
    assert late.exit_code == 0 and "Interview" not in flat(late.stderr)
    row = interviews_row(temp_workspace)
    assert row["end_reason"] == "time-up" and row["ended_at"] == START + 20 * 60
    assert row["first_pass_at"] is None

    status = " ".join(run("interview", "--status").stdout.split())
    assert "solved | no" in status and "ended | time up (20:00 used)" in status
    assert "submissions | 0" in status and "follow-up | pending" in status

    # asked interactively this time; a wrong answer is marked, with the explanation
    answered = run("interview", input="b\n")
    assert answered.exit_code == 0, answered.output
    out = " ".join(answered.stdout.split())
    assert "Follow-up" not in flat(answered.stderr) and "Not right" in out
    assert "m·n·d multiply-adds" in out and "follow-up | wrong" in out


def test_one_interview_at_a_time_and_only_on_code(clock: FakeClock, temp_workspace: Path) -> None:
    quiz = run("interview", "--problem", "1")
    assert quiz.exit_code == 2 and "is a quiz" in flat(quiz.stderr)
    assert run("interview", "--stop").exit_code == 2  # nothing to stop
    assert run("interview", "--problem", "6", "--minutes", "10").exit_code == 0
    again = run("interview", "--problem", "5")
    assert again.exit_code == 2 and "An interview on problem6 is running (10:00 left)" in flat(again.stderr)
    shown = run("interview")  # no choice given: where it stands
    assert shown.exit_code == 0 and "10:00 left of 10:00" in shown.stdout
    clock.advance(minutes=3)
    stopped = run("interview", "--stop", "--answer", "b")
    assert stopped.exit_code == 0
    out = " ".join(stopped.stdout.split())
    assert "Interview on problem6 stopped." in out and "Right" in out
    assert "ended | stopped (3:00 used)" in out and "solved | no" in out


def test_the_pick_is_a_code_problem_not_passed_weighted_to_unseen(temp_workspace: Path) -> None:
    catalog = Catalog.load(REPO / "problems")
    store = ProgressStore(temp_workspace)
    store.record_submission("problem5", "fail", 0.5, 1, 2, 0.1, "a", None)  # seen
    store.record_submission("problem15", "pass", 1.0, 2, 2, 0.1, "b", None)  # passed
    service = Interviews(store, catalog, temp_workspace, rng=random.Random(7))
    easy = {p.id for p in catalog.problems if p.kind.value == "code" and p.difficulty == "easy"}
    picks = [service.choose(difficulty="easy").id for _ in range(700)]
    assert set(picks) == easy - {"problem15"}  # every easy code problem not passed
    assert picks.count("problem6") > 2 * picks.count("problem5")  # unseen 3 : seen 1
    cached = {p.id for p in catalog.problems if "kv-cache" in p.tags and p.kind.value == "code"}
    assert {service.choose(tag="kv-cache").id for _ in range(50)} <= cached
    for i, pid in enumerate(sorted(easy)):
        store.record_submission(pid, "pass", 1.0, 2, 2, 0.1, f"c{i}", None)
    with pytest.raises(Exception, match="passed every easy code problem"):
        service.choose(difficulty="easy")


def test_interview_started_without_a_choice(clock: FakeClock, temp_workspace: Path) -> None:
    result = run("interview", "--difficulty", "hard")
    assert result.exit_code == 0, result.output
    row = interviews_row(temp_workspace)
    hard = {p.id for p in Catalog.load(REPO / "problems").problems
            if p.kind.value == "code" and p.difficulty == "hard"}
    assert row["problem_id"] in hard
    assert row["minutes"] == 50


def test_hints_shown_before_the_migration_are_logged(tmp_path: Path) -> None:
    from attn_practice.grader.progress import m001_initial, m002_starts

    with sqlite3.connect(tmp_path / "progress.sqlite3") as db:
        db.execute("CREATE TABLE _migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                   "applied_at REAL)")
        m001_initial(db)
        m002_starts(db)
        db.executemany("INSERT INTO _migrations VALUES (?, ?, 0)", [(1, "m001_initial"),
                                                                    (2, "m002_starts")])
        db.execute("INSERT INTO hints VALUES ('problem9', 2, 123.0)")
    store = ProgressStore(tmp_path)
    assert store.schema_version() == 3
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT problem_id, shown_at, hint_index FROM hint_log").fetchall() == \
            [("problem9", 123.0, 1)]



def test_watch_counts_towards_the_interview(clock: FakeClock, temp_workspace: Path) -> None:
    assert run("interview", "--problem", "5").exit_code == 0
    attempt = temp_workspace / "interviews" / "001-problem5" / "attempt.py"
    shutil.copy(REPO / "solutions/problem5.py", attempt)
    clock.advance(minutes=4)
    watched = run("watch", "5", "--max-runs", "1")
    assert watched.exit_code == 0, watched.output
    # it watches the interview attempt (the path may wrap anywhere: the temporary folder's
    # length varies)
    assert "interviews/001-problem5/attempt.py" in watched.stdout.replace("\n", "")
    assert "Interview over: problem5 solved in 4:00." in flat(watched.stderr)
    assert interviews_row(temp_workspace)["end_reason"] == "passed"


def test_a_followup_removed_since_never_blocks(clock: FakeClock, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from test_followups import GOOD

    pack = tmp_path / "pack"
    shutil.copytree(REPO / "tests" / "fixtures" / "pack", pack)
    toml = pack / "problems" / "problem1" / "problem.toml"
    original = toml.read_text(encoding="utf-8")
    toml.write_text(original + GOOD, encoding="utf-8")
    monkeypatch.setenv("ATTN_PRACTICE_PROBLEMS", str(pack / "problems"))
    assert run("interview", "--problem", "1").exit_code == 0
    stopped = run("interview", "--stop", input="")  # no answer given: the question waits
    assert stopped.exit_code == 1 and "the follow-up waits" in flat(stopped.stderr)
    assert "the follow-up waits" in flat(run("interview", "--problem", "1").stderr)  # asked first
    toml.write_text(original, encoding="utf-8")  # the author removed it
    again = run("interview", "--problem", "1")
    assert again.exit_code == 0, again.output
    assert "Interview 2 · problem1" in again.stdout
