"""`watch`: saves are noticed, including editors that replace the file."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

from typer.testing import CliRunner

import cli
from attn_practice.grader.progress import ProgressStore
from attn_practice.grader.watch import changes

GOLDEN = Path(__file__).parent / "golden" / "problem5"


def test_changes_follow_in_place_writes_and_replacements(tmp_path: Path) -> None:
    path = tmp_path / "attempt.py"
    path.write_text("a = 1\n")
    seen: list[float] = []
    done = threading.Event()

    def edit() -> None:
        time.sleep(0.2)
        path.write_text("a = 2\n")  # in place
        time.sleep(0.3)
        tmp = tmp_path / ".attempt.py.swp"
        tmp.write_text("a = 3  # saved by rename\n")
        os.replace(tmp, path)  # how many editors save
        time.sleep(0.3)
        done.set()

    threading.Thread(target=edit, daemon=True).start()
    for when in changes(path, stop=lambda: done.is_set() and len(seen) >= 2):
        seen.append(when)
        if len(seen) == 2:
            break
    assert len(seen) == 2


def test_watch_regrades_after_a_save(tmp_path: Path, temp_workspace: Path) -> None:
    attempt = temp_workspace / "problem5" / "attempt.py"
    attempt.parent.mkdir(parents=True)
    shutil.copy(GOLDEN / "nan" / "attempt.py", attempt)

    def fix_it() -> None:
        store = temp_workspace / "progress.sqlite3"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # wait for the first grading to be recorded
            if store.exists() and ProgressStore(temp_workspace).count_submissions() >= 1:
                break
            time.sleep(0.1)
        for _ in range(2):  # twice: a save the watcher missed would otherwise stall the test
            time.sleep(1.0)
            tmp = attempt.with_suffix(".tmp")
            shutil.copy(GOLDEN / "right" / "attempt.py", tmp)
            os.replace(tmp, attempt)

    threading.Thread(target=fix_it, daemon=True).start()
    result = CliRunner().invoke(cli.app, ["watch", "5", "--max-runs", "2"])
    assert result.exit_code == 0, result.stdout
    out = result.stdout
    assert out.count("Watching") == 2
    assert out.index("FAIL") < out.index("PASS")
    assert "Report ready" in out and "after the save" in out
