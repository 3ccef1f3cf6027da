"""The warm pool: a worker that dies is replaced, its submission retried once, then an error."""

from __future__ import annotations

import json
import os
from pathlib import Path

from attn_practice.grader.pool import Task, WarmPool


def dying_worker(conn, problems_dir: str, solutions_dir: str) -> None:
    """Answers every task, except that it dies on 'always.py', and on 'once.py' the first time."""
    while True:
        try:
            task = json.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        file = Path(task["file"])
        marker = file.with_suffix(".seen")
        if file.name == "always.py" or (file.name == "once.py" and not marker.exists()):
            marker.touch()
            os._exit(9)
        conn.send_bytes(json.dumps({"row": {"file": task["file"]}, "doc": "{}"}).encode())


def test_a_dying_worker_is_replaced_and_only_its_submission_suffers(tmp_path: Path) -> None:
    names = ["a.py", "always.py", "b.py", "once.py", "c.py", "d.py"]
    tasks = [Task(i, "problem5", str(tmp_path / n)) for i, n in enumerate(names)]
    failed = []

    def on_failure(task: Task, reason: str) -> dict:
        failed.append((Path(task.file).name, reason))
        return {"row": {"file": task.file, "error": reason}, "doc": "{}"}

    pool = WarmPool(2, tmp_path, tmp_path, task_seconds=60, serve=dying_worker)
    done = {Path(t.file).name: reply for t, reply in pool.run(tasks, on_failure)}
    assert sorted(done) == sorted(names)  # every submission gets a result
    assert failed == [("always.py", "the grading process died on this submission 2 times")]
    assert "error" not in done["once.py"]["row"]  # retried in a fresh worker, and graded
