"""The most common mistakes there are, on every code problem: a forgotten `return`, and a
value of the wrong type. Each is the learner's failed check (exit code 1, kind "type", a
message that says what to fix), never "a problem with the problem".

The attempts are made from each problem's own reference solution, so every problem
(and every problem added later) is covered.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli
from attn_practice.grader.catalog import Catalog, Kind
from attn_practice.grader.engine import grade
from attn_practice.grader.results import FailureKind, Status

REPO = Path(__file__).resolve().parent.parent
CODE = [p for p in Catalog.load(REPO / "problems").problems if p.kind is Kind.CODE]

TO_NUMPY = '''

def _as_numpy(value):
    """What a learner does who 'just wants to see numbers': tensors become numpy arrays."""
    import torch
    if isinstance(value, torch.Tensor):
        return value.detach().numpy()
    if isinstance(value, (tuple, list)):
        return type(value)(_as_numpy(v) for v in value)
    return value
'''


class _Returns(ast.NodeTransformer):
    """Drop the final `return` of each entry point, or make every `return X` give numpy."""

    def __init__(self, entry_points: set[str], how: str) -> None:
        self.entry_points, self.how, self.depth = entry_points, how, 0

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        inside = node.name in self.entry_points and self.depth == 0
        self.depth += 1
        if inside and self.how == "forget":  # the final return: early returns stay
            node.body[-1] = self._one(node.body[-1])
        elif inside:
            node.body = [self._rewrite(s) for s in node.body]
        self.depth -= 1
        return node

    def _rewrite(self, stmt: ast.stmt) -> ast.stmt:
        for child in ast.walk(stmt):
            for field in ("body", "orelse", "finalbody"):
                block = getattr(child, field, None)
                if isinstance(block, list) and not isinstance(child, (ast.FunctionDef,
                                                                      ast.Lambda)):
                    setattr(child, field, [self._one(s) for s in block])
        return self._one(stmt)

    def _one(self, stmt: ast.stmt) -> ast.stmt:
        if not isinstance(stmt, ast.Return) or stmt.value is None:
            return stmt
        if self.how == "forget":
            return ast.copy_location(ast.Expr(stmt.value), stmt)
        call = ast.Call(ast.Name("_as_numpy", ast.Load()), [stmt.value], [])
        return ast.copy_location(ast.Return(call), stmt)


def _attempt(problem, how: str, folder: Path) -> Path:
    tree = ast.parse(problem.solution_path.read_text(encoding="utf-8"))
    tree = ast.fix_missing_locations(_Returns({e.name for e in problem.entry_points}, how).visit(tree))
    path = folder / f"{problem.id}_{how}.py"
    path.write_text(ast.unparse(tree) + (TO_NUMPY if how == "numpy" else "\n"), encoding="utf-8")
    return path


@pytest.mark.parametrize("problem", CODE, ids=[p.id for p in CODE])
def test_a_forgotten_return_is_the_learners_failure(problem, tmp_path: Path) -> None:
    result = grade(problem, _attempt(problem, "forget", tmp_path))
    assert result.status is Status.FAIL, result.message
    assert result.failing
    for check in result.failing:
        assert check.kind is FailureKind.TYPE, (check.name, check.kind, check.message)
        assert "did you forget `return`?" in check.message, (check.name, check.message)


@pytest.mark.parametrize("problem", CODE, ids=[p.id for p in CODE])
def test_a_value_of_the_wrong_type_is_the_learners_failure(problem, tmp_path: Path) -> None:
    result = grade(problem, _attempt(problem, "numpy", tmp_path))
    assert result.status is Status.FAIL, result.message
    assert result.failing
    for check in result.failing:
        assert check.kind is FailureKind.TYPE, (check.name, check.kind, check.message)
        assert "numpy array" in check.message, (check.name, check.message)


def test_submit_of_a_forgotten_return_exits_1_and_says_what_to_do(tmp_path: Path) -> None:
    problem = next(p for p in CODE if p.id == "problem10")
    attempt = _attempt(problem, "forget", tmp_path)
    result = CliRunner().invoke(cli.app, ["submit", "10", "--file", str(attempt), "--format",
                                          "plain", "--workspace", str(tmp_path / "ws")])
    assert result.exit_code == 1, result.output
    assert "did you forget `return`?" in result.stdout
    assert "problem with the problem" not in result.output
