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
    """The first use, in reading order, of a forbidden call: an attribute of an imported
    module (`F.scaled_dot_product_attention`, `torch._C._nn.scaled_dot_product_attention`),
    a `from torch... import` of one, an import of a forbidden module, or a call of a method
    named like one on some other object (`out.backward()`).

    Not flagged: bare names and the learner's own functions and methods of the same name
    (problem9's entry point is `scaled_dot_product_attention`; a class with a static
    `backward` is fine), other objects' attributes that are not called (`x.grad`, `r.func`),
    and code under `if __name__ == "__main__":` (a self-check there never runs when graded). Disguised uses (getattr with
    a built string, a module kept in a variable) are refused at run time in the sandbox.
    """
    if not forbidden:
        return None
    by_last = {f.rsplit(".", 1)[-1]: f for f in forbidden}
    skipped = _main_block_nodes(tree)
    modules = _module_aliases(tree)
    own = _own_names(tree)
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    hits: list[tuple[ast.AST, str]] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Attribute) and node.attr in by_last and \
                isinstance(node.ctx, ast.Load):
            if _root_name(node) in modules or (id(node) in called and node.attr not in own):
                hits.append((node, by_last[node.attr]))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            # importing a forbidden module (or from it): `import functorch`,
            # `from torch.autograd import grad`, `import torch.func as tf`
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names]
            module = next((f for f in forbidden for n in names if n == f or
                           n.startswith(f + ".")), None)
            if module is not None:
                hits.append((node, module))
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "torch":
                name = next((a.name for a in node.names if a.name in by_last), None)
                if name is not None:
                    hits.append((node, by_last[name]))
    if not hits:
        return None
    node, name = min(hits, key=lambda h: (h[0].lineno, h[0].col_offset))
    line, col, end = node.lineno, node.col_offset, getattr(node, "end_col_offset", None)
    frame = code_frame(text, path, line, col + 1, None if end is None else end + 1)
    return StaticProblem("forbidden", (
        f"line {line} uses {name}, which does this problem's work for you; "
        "it is not allowed here: write the computation yourself"), frame)


def _main_block_nodes(tree: ast.Module) -> set[int]:
    """Every node under a top-level `if __name__ == "__main__":`."""
    inside: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and \
                isinstance(node.test.left, ast.Name) and node.test.left.id == "__name__" and \
                any(isinstance(c, ast.Constant) and c.value == "__main__"
                    for c in node.test.comparators):
            for part in node.body:
                inside.update(id(n) for n in ast.walk(part))
    return inside


def _module_aliases(tree: ast.Module) -> set[str]:
    """Names the file binds by importing (`torch`, `F`, `nn`...)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add(alias.asname or alias.name.split(".")[0])
    return names


def _own_names(tree: ast.Module) -> set[str]:
    """Functions, methods and classes the file defines, and attributes of its classes."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                targets = item.targets if isinstance(item, ast.Assign) else \
                    [item.target] if isinstance(item, ast.AnnAssign) else []
                names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _root_name(node: ast.Attribute) -> str | None:
    base: ast.AST = node
    while isinstance(base, ast.Attribute):
        base = base.value
    return base.id if isinstance(base, ast.Name) else None


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
