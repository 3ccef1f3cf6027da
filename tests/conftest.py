"""Every test runs in a temporary workspace and home: nothing touches the user's files."""

from __future__ import annotations

import glob
import os
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def temp_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    workspace = tmp_path / "workspace"
    monkeypatch.setenv("ATTN_PRACTICE_WORKSPACE", str(workspace))
    (tmp_path / "home").mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ATTN_PRACTICE_PROBLEMS", raising=False)
    monkeypatch.delenv("ATTN_PRACTICE_LANG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return workspace


@pytest.fixture(scope="session")
def catalog():
    from attn_practice.grader.catalog import Catalog

    return Catalog.load(REPO / "problems")


def processes_under(root: Path) -> list[str]:
    """Processes whose working directory is (or was) inside root: sandboxes left behind."""
    found = []
    for cwd in glob.glob("/proc/[0-9]*/cwd"):
        try:
            if os.readlink(cwd).startswith(str(root)):
                found.append(cwd)
        except OSError:
            continue
    return found


@pytest.fixture()
def no_process_left_under():
    """Assert that no process works under a folder (killed ones get a moment to go)."""
    def check(root: Path, message: str) -> None:
        deadline = time.monotonic() + 10
        while processes_under(root) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not processes_under(root), message
    return check
