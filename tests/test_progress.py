"""The progress store: migrations, concurrent writers, and a damaged file."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

from attn_practice.grader.progress import MIGRATIONS, ProgressStore, streaks


def _submit_many(workspace: str, worker: int, count: int) -> None:
    store = ProgressStore(Path(workspace))
    for i in range(count):
        store.record_submission(f"problem{worker}", "fail", 0.5, 1, 2, 0.1, f"{worker}-{i}", None)


def test_migrations_are_numbered_and_applied_once(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    assert store.schema_version() == len(MIGRATIONS)
    ProgressStore(tmp_path)  # again: nothing to do, nothing fails
    with sqlite3.connect(store.path) as db:
        names = [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY number")]
    assert names == [m.__name__ for m in MIGRATIONS] and names[0] == "m001_initial"


def test_concurrent_submissions_all_land(tmp_path: Path) -> None:
    ProgressStore(tmp_path)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_submit_many, args=(str(tmp_path), w, 25)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert ProgressStore(tmp_path).count_submissions() == 100


def test_reading_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    """`list` or `progress` while another terminal holds the write lock (a `watch` recording a
    submission): opening an up-to-date store takes no lock, and WAL lets it read."""
    import threading

    ProgressStore(tmp_path).record_submission("problem5", "pass", 1.0, 2, 2, 0.1, "sha", None)
    writer = sqlite3.connect(tmp_path / "progress.sqlite3", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        seen: list = []
        reader = threading.Thread(target=lambda: seen.append(ProgressStore(tmp_path).summary()))
        reader.start()
        reader.join(timeout=5)  # the busy timeout is 30 s: waiting would fail here
        assert seen and seen[0]["problem5"].status == "passed"
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_quick_check_damage_is_not_ignored() -> None:
    """quick_check reports damage as rows, not as an exception: the store must raise it (and
    so move the file aside) rather than read the first row and go on."""
    import pytest

    from attn_practice.grader.progress import _check_sound

    class Damaged:
        def execute(self, sql: str):
            assert sql == "PRAGMA quick_check"
            return self

        def fetchone(self):
            return ("*** in database main ***\nPage 3: btreeInitPage() returns error code 11",)

    with pytest.raises(sqlite3.DatabaseError, match="btreeInitPage"):
        _check_sound(Damaged())  # type: ignore[arg-type]


def test_damaged_file_is_moved_aside(tmp_path: Path) -> None:
    (tmp_path / "progress.sqlite3").write_bytes(b"this is not a database" * 100)
    store = ProgressStore(tmp_path)
    assert store.moved_aside is not None and store.moved_aside.exists()
    store.record_submission("problem5", "pass", 1.0, 3, 3, 0.2, "abc", None)
    assert store.summary()["problem5"].status == "passed"


def test_summary_status_and_hints(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    store.record_start("problem7")
    store.record_submission("problem5", "fail", 0.25, 1, 4, 0.1, "a", "no-scaling")
    store.record_submission("problem5", "pass", 1.0, 4, 4, 0.1, "b", None)
    assert [store.next_hint("problem5", 3) for _ in range(5)] == [0, 1, 2, 2, 2]
    summary = store.summary()
    assert summary["problem5"].status == "passed" and summary["problem5"].best_score == 1.0
    assert summary["problem7"].status == "started"
    assert summary["problem5"].hints_shown == 3


def test_streaks() -> None:
    assert streaks([], "2026-11-24") == (0, 0)
    days = ["2026-11-24", "2026-11-23", "2026-11-20", "2026-11-19", "2026-11-18"]
    assert streaks(days, "2026-11-24") == (2, 3)
    assert streaks(["2026-11-23"], "2026-11-24") == (1, 1)
    assert streaks(["2026-11-20"], "2026-11-24") == (0, 1)
