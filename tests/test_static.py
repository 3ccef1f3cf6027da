"""Checks made before anything runs: encodings, syntax, forbidden calls."""

from __future__ import annotations

import ast

import pytest

from attn_practice.grader.static import check_syntax, decode_source, find_forbidden

SDPA = ("torch.nn.functional.scaled_dot_product_attention",)


def forbidden_in(source: str):
    return find_forbidden(ast.parse(source), source, "attempt.py", SDPA)


@pytest.mark.parametrize("source", [
    "import torch.nn.functional as F\nF.scaled_dot_product_attention(q, k, v)",
    "import torch\ntorch.nn.functional.scaled_dot_product_attention(q, k, v)",
    "from torch.nn.functional import scaled_dot_product_attention as f",
    "import torch\ntorch._C._nn.scaled_dot_product_attention",
])
def test_forbidden_uses_are_found(source: str) -> None:
    found = forbidden_in(source)
    assert found is not None and found.frame is not None


@pytest.mark.parametrize("source", [
    "def scaled_dot_product_attention(q, k, v):\n    return q\n__all__ = ['scaled_dot_product_attention']",
    "def scaled_dot_product_attention(q, k, v, depth=0):\n"
    "    return scaled_dot_product_attention(q, k, v, depth + 1) if depth < 1 else q",
])
def test_a_learner_function_of_the_same_name_is_fine(source: str) -> None:
    assert forbidden_in(source) is None


def test_syntax_error_has_line_column_and_frame() -> None:
    tree, problem = check_syntax("x = 1\ndef f(:\n    pass\n", "attempt.py")
    assert tree is None and problem is not None
    assert problem.frame.line == 2 and problem.frame.column is not None
    assert "line 2" in problem.message


def test_null_bytes_and_non_utf8_are_explained() -> None:
    _, problem = decode_source(b"x = 1\n\x00\n", "a.py")
    assert problem is not None and "line 2" in problem.message and "null byte" in problem.message
    _, problem = decode_source(b"x = '\xff'\n", "a.py")
    assert problem is not None and "not UTF-8" in problem.message


@pytest.mark.parametrize("source", ["import functorch", "from torch.autograd import grad",
                                    "import torch.autograd as ag", "import torch.func"])
def test_importing_a_forbidden_module_is_refused(source: str) -> None:
    forbidden = ("torch.autograd", "torch.func", "functorch", "torch.autograd.grad")
    found = find_forbidden(ast.parse(source), source, "a.py", forbidden)
    assert found is not None and found.kind == "forbidden"


def test_an_allowed_import_of_a_parent_module_passes() -> None:
    source = "import torch.nn.functional as F\nimport torch"
    assert find_forbidden(ast.parse(source), source, "a.py", ("torch.autograd",)) is None
