"""Printing one submission's result in the format asked for, on stdout."""

from __future__ import annotations

import os
import sys

from attn_practice.grader.results import SubmissionResult

PLATFORMS = ("gradescope", "prairielearn", "classroom")  # grader.render.platforms


def print_result(result: SubmissionResult, title: str, fmt: str) -> None:
    """Print a result; a reader that stops early (| head) does not change the exit code."""
    try:
        _print(result, title, fmt)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # nothing more to say, and no error on exit


def _print(result: SubmissionResult, title: str, fmt: str) -> None:
    from attn_practice.grader.render import machine

    if fmt == "json":
        print(machine.to_json(result))
    elif fmt == "junit":
        print(machine.to_junit(result))
    elif fmt in PLATFORMS:
        from attn_practice.grader.render import platforms

        print(platforms.render(fmt, result, title))
    else:
        from attn_practice.grader.render.console import render_submission
        from attn_practice.grader.render.terminal import make_console

        plain = fmt == "plain"
        render_submission(make_console(plain), result, f"{result.problem_id} · {title}", plain)
