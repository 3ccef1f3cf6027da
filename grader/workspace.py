"""The learner's workspace: one folder per problem holding the attempt, plus backups."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import NamedTuple

from attn_practice.grader.catalog import Kind, Problem
from attn_practice.grader.errors import AttemptNotFoundError, ProblemFormatError, WorkspaceError


class StartOutcome(NamedTuple):
    """What `start` did: the attempt's path, and the backup of an old one."""

    path: Path
    created: bool  # False: an attempt was already there and was kept
    backup: Path | None = None


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root

    def attempt_path(self, problem: Problem) -> Path:
        return self.root / problem.id / problem.attempt_name

    def backups_dir(self, problem: Problem) -> Path:
        return self.root / problem.id / "backups"

    def start(self, problem: Problem, force: bool = False, lang: str = "en") -> StartOutcome:
        """Copy the stub in; never overwrite an attempt unless forced, and then keep a backup."""
        target = self.attempt_path(problem)
        if not problem.stub_path.is_file():
            raise ProblemFormatError(problem.stub_path, None, "the stub is missing")
        if target.exists() and not force:
            return StartOutcome(target, created=False)
        backup = self._backup(problem, target) if target.exists() else None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if problem.kind is Kind.QUIZ:
                from attn_practice.grader.quiz import answer_sheet

                target.write_text(answer_sheet(problem, lang), encoding="utf-8")
            else:
                shutil.copyfile(problem.stub_path, target)
        except OSError as err:
            raise WorkspaceError(f"Cannot write {target}: {err.strerror}",
                                 hint="Choose another workspace with --workspace PATH.") from err
        return StartOutcome(target, created=True, backup=backup)

    def reset(self, problem: Problem, lang: str = "en") -> StartOutcome:
        return self.start(problem, force=True, lang=lang)

    def read_attempt(self, problem: Problem, path: Path | None = None) -> tuple[Path, bytes]:
        target = path or self.attempt_path(problem)
        if target.is_dir():
            raise WorkspaceError(f"{target} is a folder; pass the attempt file itself.")
        if not target.is_file():
            raise AttemptNotFoundError(target, problem.id)
        try:
            return target, target.read_bytes()
        except OSError as err:
            raise WorkspaceError(f"Cannot read {target}: {err.strerror}") from err

    def _backup(self, problem: Problem, target: Path) -> Path:
        folder = self.backups_dir(problem)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = folder / f"{target.stem}-{stamp}{target.suffix}"
        n = 1
        while backup.exists():
            backup = folder / f"{target.stem}-{stamp}-{n}{target.suffix}"
            n += 1
        shutil.copy2(target, backup)
        return backup
