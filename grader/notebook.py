"""attn-practice in a notebook: `ap.show(9)`, `ap.check(9, fn)`, `ap.check(9)`, `ap.hint(9)`,
`ap.progress()`.

A function is graded like a file: its source, and the imports, helper functions and
constants it uses from other cells, are written to an attempt file, which a separate
process grades (`attn-practice submit --format json`) with the sandbox. Nothing of the
reference or the hidden tests ever enters the notebook's kernel, and the result comes
back as JSON (plain data). Submissions land in the same progress store as the CLI's.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SIMPLE = (int, float, complex, str, bytes, bool, type(None))


class CannotCarry(Exception):
    """Something the function uses cannot be written into an attempt file."""


@dataclass
class Check:
    name: str
    status: str  # pass | fail | error
    message: str | None
    diagnosis: str | None


@dataclass
class NotebookResult:
    """What `check` returns: the result document as attributes, and a report when displayed."""

    problem: str
    status: str
    score: float
    checks: list[Check]
    diagnosis: dict | None
    findings: list[dict] = field(default_factory=list)
    performance: dict | None = None
    message: str | None = None
    next_step: str = ""
    document: dict = field(default_factory=dict, repr=False)

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    @property
    def failing(self) -> list[Check]:
        return [c for c in self.checks if c.status != "pass"]

    def _repr_markdown_(self) -> str:
        return report_markdown(self)


# --- the commands --------------------------------------------------------------------


def show(problem: int | str, lang: str | None = None):
    """The statement, rendered as Markdown in the notebook."""
    app = _app(lang)
    text = app.statement(app.problem(str(problem)))
    return _display_markdown(text)


def hint(problem: int | str, lang: str | None = None):
    """The next hint (each one is counted, as in the terminal)."""
    app = _app(lang)
    view = app.hint(app.problem(str(problem)))
    return _display_markdown(f"**Hint {view.index + 1} of {view.total}**\n\n{view.text}")


def progress():
    """Overall and per-tag progress, from the same store as the command line."""
    view = _app().progress()
    lines = [f"**{view.passed} of {view.total} problems passed**, {view.submissions} submissions, "
             f"streak {view.current_streak} (longest {view.longest_streak})", "",
             "| tag | passed |", "|---|---|"]
    lines += [f"| {t.tag} | {t.passed}/{t.total} |" for t in view.tags]
    return _display_markdown("\n".join(lines))


def check(problem: int | str, *functions: Any, lang: str | None = None,
          namespace: dict | None = None) -> NotebookResult:
    """Grade the problem's entry points: the functions given, or the notebook's functions of
    those names. Returns the result; displayed, it is the report."""
    app = _app(lang)
    p = app.problem(str(problem))
    names = [e.name for e in p.entry_points]
    scope = namespace if namespace is not None else _caller_namespace()
    chosen = list(functions) or [scope[n] for n in names if n in scope]
    missing = [n for n in names if n not in {getattr(f, "__name__", None) for f in chosen}]
    if missing:
        raise CannotCarry(
            f"{p.id} needs {', '.join(missing)}: define {'it' if len(missing) == 1 else 'them'} "
            f"in the notebook (run the cell), or pass the function: ap.check({p.number}, fn)")
    source = attempt_source(chosen)
    with tempfile.TemporaryDirectory(prefix="attn-notebook-") as tmp:
        attempt = Path(tmp) / f"{p.id}_notebook.py"
        attempt.write_text(source, encoding="utf-8")
        document = _submit(p.id, attempt, app)
    return _result(document)


# --- carrying a function over ------------------------------------------------------------


def attempt_source(functions: list[Any]) -> str:
    """A module that defines the functions, with the imports, helpers and constants they use."""
    imports: dict[str, str] = {}
    definitions: dict[str, str] = {}
    constants: dict[str, str] = {}
    for fn in functions:
        _carry(fn, getattr(fn, "__name__", repr(fn)), imports, definitions, constants)
    header = '"""Carried over from a notebook by attn_practice.check."""\n'
    body = ["\n".join(sorted(set(imports.values()))), "\n".join(constants.values()),
            *definitions.values()]
    return header + "\n\n".join(b for b in body if b) + "\n"


def _carry(obj: Any, name: str, imports: dict, definitions: dict, constants: dict) -> None:
    if name in definitions or name in imports or name in constants:
        return
    if isinstance(obj, types.ModuleType):
        module = obj.__name__
        imports[name] = f"import {module}" if module == name else f"import {module} as {name}"
        return
    if isinstance(obj, SIMPLE) or _simple_container(obj):
        constants[name] = f"{name} = {obj!r}"
        return
    module = getattr(obj, "__module__", None)
    if (inspect.isfunction(obj) or inspect.isclass(obj)) and module not in (None, "__main__") \
            and not module.startswith("__"):
        real = getattr(obj, "__qualname__", obj.__name__)
        if "." not in real and getattr(sys.modules.get(module), real, None) is obj:
            imports[name] = f"from {module} import {real}" + (f" as {name}" if name != real else "")
            return
    if inspect.isfunction(obj) or inspect.isclass(obj):
        closure = inspect.isfunction(obj) and bool(obj.__closure__)
        if obj.__name__ == "<lambda>" or closure:
            raise CannotCarry(f"{name} is a lambda or a closure (a function made inside another "
                              "function): define it with def at the top level of a cell")
        try:
            source = textwrap.dedent(inspect.getsource(obj))
        except (OSError, TypeError):
            raise CannotCarry(f"the source of {name} cannot be found: define it in a cell of "
                              "this notebook (or in a module you import)") from None
        if obj.__name__ != name:
            source += f"\n{name} = {obj.__name__}\n"
        definitions[name] = source.rstrip() + "\n"
        for used, value in _globals_used(obj, source).items():
            _carry(value, used, imports, definitions, constants)
        return
    if type(obj).__module__ == "torch" and type(obj).__name__ == "dtype":
        imports.setdefault("torch", "import torch")
        constants[name] = f"{name} = {obj!r}"
        return
    raise CannotCarry(f"{name} is a {type(obj).__name__} object with no source to carry: make it "
                      "a constant (a number, a string, a tuple) or build it inside the function")


def _globals_used(obj: Any, source: str) -> dict[str, Any]:
    """Names a function (or a class's methods) takes from its module's globals, its
    annotations and default values included (they are evaluated when the file is imported)."""
    scope = getattr(obj, "__globals__", None)
    codes = []
    if inspect.isclass(obj):
        for member in vars(obj).values():
            fn = getattr(member, "__func__", member)
            if inspect.isfunction(fn):
                scope = fn.__globals__
                codes.append(fn.__code__)
    else:
        codes.append(obj.__code__)
    names: set[str] = {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    scope = scope or {}
    return {n: scope[n] for n in sorted(names) if n in scope and not hasattr(builtins, n)}


def _simple_container(obj: Any) -> bool:
    if isinstance(obj, (tuple, list, frozenset, set)):
        return all(isinstance(v, SIMPLE) or _simple_container(v) for v in obj)
    if isinstance(obj, dict):
        return all(isinstance(k, SIMPLE) and (isinstance(v, SIMPLE) or _simple_container(v))
                   for k, v in obj.items())
    return False


# --- grading in a separate process ---------------------------------------------------------


def _submit(problem_id: str, attempt: Path, app) -> dict:
    """`attn-practice submit --format json` in a child process: the kernel judges nothing."""
    env = {**os.environ, "ATTN_PRACTICE_WORKSPACE": str(app.settings.workspace),
           "ATTN_PRACTICE_PROBLEMS": str(app.settings.problems_dir),
           "ATTN_PRACTICE_LANG": app.settings.lang, "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "attn_practice", "submit", problem_id,
                           "--file", str(attempt), "--format", "json"],
                          capture_output=True, text=True, env=env, cwd=str(attempt.parent))
    if done.returncode not in (0, 1):
        raise RuntimeError(f"attn-practice could not grade it:\n{done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


def _result(doc: dict) -> NotebookResult:
    checks = [Check(t["name"], t["status"], t.get("message"), t.get("diagnosis"))
              for t in doc.get("tests", [])]
    return NotebookResult(problem=doc.get("problem", ""), status=doc["status"],
                          score=doc.get("score", 0.0), checks=checks, diagnosis=doc.get("diagnosis"),
                          findings=doc.get("findings") or [], performance=doc.get("performance"),
                          message=(doc.get("error") or {}).get("message"),
                          next_step=doc.get("next_step", ""), document=doc)


def report_markdown(r: NotebookResult, shown: int = 3) -> str:
    verdict = {"pass": "✅ PASS", "fail": "❌ FAIL", "error": "⚠️ ERROR"}.get(r.status, r.status)
    passed = sum(c.status == "pass" for c in r.checks)
    lines = [f"### {verdict} · {r.problem} · {passed}/{len(r.checks)} checks ({100 * r.score:.0f}%)"]
    if r.message:
        lines.append(f"**Could not be graded:** {r.message}")
    if r.diagnosis:
        lines += [f"**Looks like a known mistake: {r.diagnosis['title']}**", "",
                  r.diagnosis["explanation"]]
    for finding in r.findings:
        lines += [f"**Probing found: {finding['title']}**", "", finding["explanation"]]
    for c in r.failing[:shown]:
        lines += ["", f"**✗ {c.name}**", "", "```", (c.message or "").strip(), "```"]
    if len(r.failing) > shown:
        lines.append(f"\n…and {len(r.failing) - shown} more failing checks "
                     "(`result.failing` lists them all).")
    if r.performance:
        lines.append(f"\n**Cost** on {r.performance['input']}: {r.performance['verdict']}.")
    if r.next_step:
        lines.append(f"\n**Next:** {r.next_step}")
    return "\n".join(lines)


# --- helpers -----------------------------------------------------------------------------


def _app(lang: str | None = None):
    from attn_practice.grader.api import App
    from attn_practice.grader.config import resolve_settings

    return App(resolve_settings(lang=lang))


def _caller_namespace() -> dict:
    """The notebook's namespace (IPython's user namespace), or the calling module's globals."""
    try:
        from IPython import get_ipython  # type: ignore[import-not-found]

        shell = get_ipython()
        if shell is not None:
            return shell.user_ns
    except ImportError:
        pass
    frame = inspect.currentframe()
    caller = frame.f_back.f_back if frame and frame.f_back else None  # check() -> its caller
    return dict(caller.f_globals) if caller else {}


def _display_markdown(text: str):
    try:
        from IPython.display import Markdown  # type: ignore[import-not-found]

        return Markdown(text)
    except ImportError:
        return text


# --- a ready notebook ----------------------------------------------------------------------


def notebook_json(problem, statement: str, stub: str) -> str:
    """problemN.ipynb (nbformat 4): the statement, the stub as a code cell, a check cell."""
    def cell(kind: str, text: str) -> dict:
        out = {"cell_type": kind, "id": f"cell-{len(cells)}", "metadata": {},
               "source": text.splitlines(keepends=True)}
        if kind == "code":
            out.update(execution_count=None, outputs=[])
        return out
    cells: list[dict] = []
    for kind, text in (
        ("markdown", statement),
        ("code", stub.rstrip() + "\n"),
        ("markdown", "Run the cell above after each change, then check it (the hidden checks "
                     "run in a sandbox; nothing is graded in this kernel):"),
        ("code", f"import attn_practice as ap\n\nresult = ap.check({problem.number})\nresult"),
        ("code", f"ap.hint({problem.number})  # the next hint, when you are stuck"),
    ):
        cells.append(cell(kind, text))
    notebook = {"cells": cells, "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
