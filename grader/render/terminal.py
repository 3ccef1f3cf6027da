"""The Rich console every command prints with: colour on a terminal, plain text otherwise."""

from __future__ import annotations

from rich.console import Console


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """A reader that stops early (| head): stop writing, but keep the verdict's exit code
        (Rich's default exits with 1, which would turn a pass into a failure)."""
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self.file.fileno() if hasattr(self.file, "fileno") else 1)


def make_console(plain: bool, stderr: bool = False, width: int | None = None) -> Console:
    if plain:
        return _Console(stderr=stderr, no_color=True, highlight=False, emoji=False,
                        force_terminal=False, width=width or 100, soft_wrap=False)
    return _Console(stderr=stderr, highlight=False, width=width)
