"""The review queue across simulated days: a fake clock stamps every record; nothing waits."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli
import attn_practice.grader.api as grader_api
from attn_practice.grader.config import resolve_settings
from attn_practice.grader.review import INTERVALS_DAYS

runner = CliRunner()
DAY, HOUR = 86_400.0, 3_600.0
START = 1_800_000_000.0


class Learner:
    """An App on a fake clock, recording results as grading would (grading itself is tested
    elsewhere; here only the history matters)."""

    def __init__(self) -> None:
        self.t = START
        self.app = grader_api.App(resolve_settings(), now=lambda: self.t)
        self.n = 0

    def at(self, days: float = 0, hours: float = 0) -> Learner:
        self.t = START + days * DAY + hours * HOUR
        return self

    def submit(self, problem: str, status: str, diagnosis: str | None = None,
               sha: str | None = None) -> None:
        self.n += 1
        self.app.store.record_submission(problem, status, 1.0 if status == "pass" else 0.5,
                                         1, 2, 0.1, sha or f"attempt-{self.n}", diagnosis)

    def hint(self, problem: str) -> None:
        self.app.hint(self.app.problem(problem))

    def queue(self):
        return self.app.review()

    def item(self, key: str):
        return next((i for i in self.queue().items if i.key == key), None)


MISTAKE = "mistake:problem9:no-scaling"


def test_a_mistake_comes_back_on_a_spaced_schedule() -> None:
    me = Learner()
    me.at(0).submit("problem9", "fail", "no-scaling")
    due = me.queue().due
    assert [i.key for i in due] == [MISTAKE, "problem:problem9"]  # mistakes first
    item = due[0]
    assert item.tags == ("scale",) and item.stage == 0
    assert item.title == "Scores not divided by sqrt(d)"
    # another problem whose checks catch the same kind of mistake, not the one just failed
    assert item.suggestion.problem_id == "problem5"
    assert item.suggestion.command == "attn-practice start 5"
    assert "scale" in item.suggestion.why

    me.at(0, hours=1).submit("problem9", "pass")  # fixed it, no hint: a clean pass
    assert me.item("problem:problem9") is None  # solved unaided: the problem itself is done
    item = me.item(MISTAKE)
    assert item.stage == 1 and item.due_at == START + 1 * HOUR + DAY
    assert me.queue().due == []

    me.at(1, hours=2).submit("problem5", "pass")  # due, and problem5 shares the kind
    assert me.item(MISTAKE).stage == 2
    assert me.item(MISTAKE).due_at == START + 1 * DAY + 2 * HOUR + INTERVALS_DAYS[1] * DAY
    me.at(2).submit("problem10", "pass")  # early: changes nothing
    assert me.item(MISTAKE).stage == 2

    me.at(4, hours=3).submit("problem9", "pass", sha="attempt-2")  # the same file again: no
    assert me.item(MISTAKE).stage == 2
    me.at(4, hours=4).hint("problem12")
    me.at(4, hours=5).submit("problem12", "pass")  # a hint an hour before: not clean
    assert me.item(MISTAKE).stage == 2
    helped = me.item("problem:problem12")
    assert helped.reason == "passed only with a hint or the solution" and helped.stage == 0
    assert helped.suggestion.command == "attn-practice interview --problem 12"

    me.at(4, hours=6).submit("problem6", "pass")
    assert me.item(MISTAKE).stage == 3
    assert me.item(MISTAKE).suggestion.problem_id not in ("problem5", "problem6")  # rotates

    me.at(8).submit("problem9", "fail", "no-scaling")  # relapse: starts over, due at once
    item = me.item(MISTAKE)
    assert item.stage == 0 and item.is_due(me.t) and item.reason == "diagnosed 2 times in problem9"

    day, passes = 8.0, ["problem9", "problem15", "problem17", "problem18", "problem19"]
    for stage, problem in enumerate(passes, start=1):
        me.at(day, hours=1).submit(problem, "pass", sha=f"review-{stage}")
        item = me.item(MISTAKE)
        if stage <= len(INTERVALS_DAYS):
            assert item.stage == stage
            assert not item.is_due(me.t)
            day += INTERVALS_DAYS[stage - 1]
            me.at(day, hours=1)
            assert item.is_due(me.t)
    assert me.item(MISTAKE) is None  # five clean reviews: learned


def test_a_probe_finding_enters_the_queue_like_a_mistake() -> None:
    me = Learner()
    me.at(0).submit("problem5", "fail", "probe:softmax-axis")
    item = me.item("finding:problem5:probe:softmax-axis")
    assert item.kind == "finding" and item.tags == ("softmax-axis",) and item.is_due(me.t)
    assert item.title.startswith("Found by a probe: the softmax normalises over the wrong axis")
    assert item.suggestion.problem_id == "problem6"  # its mistakes include softmax-axis
    me.at(0, hours=1).submit("problem6", "pass")
    assert me.item("finding:problem5:probe:softmax-axis").stage == 1


def test_unsolved_interview_and_forced_reveal_make_a_problem_due() -> None:
    me = Learner()
    app = me.app
    me.at(0)
    app.interview_start(app.problem("7"), minutes=10)
    me.at(0, hours=1)  # time is up, noticed by review
    item = me.item("problem:problem7")
    assert item.reason == "an interview on it ended unsolved" and item.due_at == START + 600
    app.solution(app.problem("8"), force=True)
    assert me.item("problem:problem8").reason == "solution revealed before passing"
    me.at(1).submit("problem7", "pass")
    assert me.item("problem:problem7").stage == 1


def test_review_json_and_list_marks(monkeypatch: pytest.MonkeyPatch) -> None:
    me = Learner()
    me.at(0).submit("problem9", "fail", "inverted-mask")
    me.at(0, hours=1).submit("problem9", "pass")
    me.at(0, hours=2).submit("problem13", "fail", "mask-inverted")
    monkeypatch.setattr(grader_api, "App", functools.partial(grader_api.App, now=lambda: me.t))

    result = runner.invoke(cli.app, ["review", "--format", "json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["version"] == 1 and doc["rule"]["intervals_days"] == [1, 3, 7, 21]
    assert [i["key"] for i in doc["due"]] == ["mistake:problem13:mask-inverted",
                                              "problem:problem13"]
    assert [i["key"] for i in doc["upcoming"]] == ["mistake:problem9:inverted-mask"]
    first = doc["due"][0]
    assert first["tags"] == ["mask-convention", "padding"] and first["stage"] == 0
    assert first["suggestion"]["command"].startswith("attn-practice ")

    text = runner.invoke(cli.app, ["review", "--format", "plain"]).stdout
    assert "Review: 2 due today" in text and "mask-inverted" in text
    assert "1 more later" in text

    listed = runner.invoke(cli.app, ["list"]).stdout
    row13 = next(x for x in listed.splitlines() if x.split()[:1] == ["problem13"])
    row9 = next(x for x in listed.splitlines() if x.split()[:1] == ["problem9"])
    assert row13.endswith("due") and not row9.endswith("due")
    assert "1 problem(s) due for review: attn-practice review" in listed


def test_nothing_to_review_yet(temp_workspace: Path) -> None:
    result = runner.invoke(cli.app, ["review"])
    assert result.exit_code == 0 and "Nothing to review yet" in result.stdout
    assert "review" not in runner.invoke(cli.app, ["list"]).stdout.splitlines()[2]
