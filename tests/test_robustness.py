"""The tool under stress: killed midway, many writers at once."""

from __future__ import annotations

import glob
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from attn_practice.grader.progress import ProgressStore

REPO = Path(__file__).resolve().parent.parent
HANG = Path(__file__).parent / "redteam" / "hang_in_call.py"


def _record_one(workspace: str, n: int) -> None:
    ProgressStore(Path(workspace)).record_submission(f"problem{n % 5}", "fail", 0.5, 1, 2, 0.1,
                                                     f"sha-{n}", None)


def test_twenty_submissions_at_once_all_land(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_record_one, args=(str(tmp_path), n)) for n in range(20)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    store = ProgressStore(tmp_path)
    assert store.count_submissions() == 20


def test_a_submit_killed_midway_leaves_no_record_and_no_process(tmp_path: Path,
                                                                no_process_left_under) -> None:
    workspace, tmp = tmp_path / "ws", tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "ATTN_PRACTICE_WORKSPACE": str(workspace), "TMPDIR": str(tmp),
           "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "cli", "submit", "5", "--file", str(HANG)],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not glob.glob(str(tmp / "attn-sandbox-*")) and time.monotonic() < deadline:
        time.sleep(0.1)  # wait until the attempt is running in its sandbox
    assert glob.glob(str(tmp / "attn-sandbox-*")), "the sandbox never started"
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)

    no_process_left_under(tmp, "the sandbox outlived the killed grader")
    db = workspace / "progress.sqlite3"
    if db.exists():
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("SELECT count(*) FROM submissions").fetchone()[0] == 0
