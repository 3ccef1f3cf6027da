"""Named errors of the grading core. The CLI turns each into one message and exit code 2.

Problems in the learner's attempt are not errors of the tool: they become a
result with status `error` or `fail` (exit code 1).
"""

from __future__ import annotations

from pathlib import Path


class GraderError(Exception):
    """Base class: a usage or configuration problem the user can fix."""

    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class ProblemNotFoundError(GraderError):
    def __init__(self, query: str, suggestions: list[str]) -> None:
        hint = (
            "Did you mean " + ", ".join(suggestions) + "?"
            if suggestions
            else "Run `attn-practice list` to see every problem."
        )
        super().__init__(f"No problem is called {query!r}.", hint=hint)
        self.query = query
        self.suggestions = suggestions


class ProblemFormatError(GraderError):
    """A problem folder that does not follow the documented format."""

    def __init__(self, path: Path, field: str | None, message: str) -> None:
        where = f"{path}" + (f" [{field}]" if field else "")
        super().__init__(
            f"{where}: {message}",
            hint="The problem format is documented in docs/problem-format.md.",
        )
        self.path = path
        self.field = field
        self.detail = message


class AttemptNotFoundError(GraderError):
    def __init__(self, path: Path, problem_id: str) -> None:
        super().__init__(
            f"No attempt at {path}.",
            hint=f"Run `attn-practice start {problem_id}` to create it, or pass --file PATH.",
        )
        self.path = path


class WorkspaceError(GraderError):
    pass


class SolutionLockedError(GraderError):
    pass


class SandboxUnavailableError(GraderError):
    """The sandbox process could not be started at all (not the attempt's fault)."""


class ProgressStoreError(GraderError):
    pass


class InterviewError(GraderError):
    """An interview command that cannot be done now (one is running, none is, nothing to pick)."""


class ExportError(GraderError):
    """An autograder package could not be built (a missing solution, an unwritable path...)."""
