"""Every test runs in a temporary workspace and home: nothing touches the user's files."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def temp_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    workspace = tmp_path / "workspace"
    monkeypatch.setenv("ATTN_PRACTICE_WORKSPACE", str(workspace))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ATTN_PRACTICE_PROBLEMS", raising=False)
    monkeypatch.delenv("ATTN_PRACTICE_LANG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return workspace


@pytest.fixture(scope="session")
def catalog():
    from grader.catalog import Catalog

    return Catalog.load(REPO / "problems")
