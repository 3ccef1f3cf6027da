"""Checks made on the attempt's source before anything runs, and code frames for feedback."""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass

from attn_practice.grader.results import AttemptTraceback, CodeFrame

CONTEXT_LINES = 2


@dataclass
class StaticProblem:
    kind: str  # encoding | syntax | forbidden
    message: str
    frame: CodeFrame | None


def decode_source(source: bytes, path: str) -> tuple[str | None, StaticProblem | None]:
    if b"\x00" in source:
        line = source[: source.index(b"\x00")].count(b"\n") + 1
        return None, StaticProblem("encoding", f"line {line} contains a null byte (\\x00); "
                                   "save the file as plain UTF-8 text", None)
    try:
        return source.decode("utf-8"), None
    except UnicodeDecodeError as err:
        line = source[: err.start].count(b"\n") + 1
        return None, StaticProblem("encoding", f"the file is not UTF-8 text (byte "
                                   f"{source[err.start]:#04x} on line {line}); save it as UTF-8",
                                   None)


def check_syntax(text: str, path: str) -> tuple[ast.Module | None, StaticProblem | None]:
    try:
        return ast.parse(text, filename=path), None
    except SyntaxError as err:
        line = err.lineno or 1
        frame = code_frame(text, path, line, err.offset, err.end_offset
                           if err.end_lineno == err.lineno else None)
        where = f"line {line}" + (f", column {err.offset}" if err.offset else "")
        return None, StaticProblem("syntax", f"{type(err).__name__}: {err.msg} ({where})", frame)


def find_forbidden(tree: ast.Module, text: str, path: str,
                   forbidden: tuple[str, ...]) -> StaticProblem | None:
    """An attribute (`F.scaled_dot_product_attention`) or a `from torch... import` of a forbidden call.

    Bare names are not flagged: a learner's own function may share the name (problem9's
    entry point is `scaled_dot_product_attention`). Disguised uses (getattr with a built
    string) are refused at run time in the sandbox instead.
    """
    if not forbidden:
        return None
    by_last = {f.rsplit(".", 1)[-1]: f for f in forbidden}
    for node in ast.walk(tree):
        hit = None
        if isinstance(node, ast.Attribute) and node.attr in by_last:
            hit = node.attr
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            # importing a forbidden module (or from it): `import functorch`,
            # `from torch.autograd import grad`, `import torch.func as tf`
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names]
            module = next((f for f in forbidden for n in names if n == f or
                           n.startswith(f + ".")), None)
            if module is not None:
                by_last.setdefault(module, module)
                hit = module
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "torch":
                hit = next((a.name for a in node.names if a.name in by_last), None)
        if hit is not None:
            line = getattr(node, "lineno", 1)
            col = getattr(node, "col_offset", None)
            end = getattr(node, "end_col_offset", None)
            frame = code_frame(text, path, line, None if col is None else col + 1,
                               None if end is None else end + 1)
            return StaticProblem("forbidden", (
                f"line {line} uses {by_last[hit]}, which does this problem's work for you; "
                "it is not allowed here: write the computation yourself"), frame)
    return None


def code_frame(text: str, path: str, line: int, column: int | None = None,
               end_column: int | None = None, function: str | None = None) -> CodeFrame:
    lines = text.splitlines()
    lo, hi = max(1, line - CONTEXT_LINES), min(len(lines), line + CONTEXT_LINES)
    shown = [(n, lines[n - 1]) for n in range(lo, hi + 1)] if lines else []
    return CodeFrame(path, line, column, end_column, shown, function)


def attempt_traceback(error_type: str, message: str, frames: list[list], text: str,
                      display_path: str, attempt_name: str) -> AttemptTraceback:
    """Keep only the learner's own frames, re-reading lines from the source we hold."""
    own = []
    for filename, line, func, col, end_col in frames:
        if os.path.basename(filename) == attempt_name and "attn-sandbox-" in filename:
            col1 = None if col is None else col + 1
            end1 = None if end_col is None else end_col + 1
            own.append(code_frame(text, display_path, line, col1, end1, func))
    return AttemptTraceback(error_type, message, own)
