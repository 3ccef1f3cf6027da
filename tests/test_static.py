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


AUTOGRAD = ("torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward",
            "torch.Tensor.requires_grad_", "torch.autograd", "torch.func",
            "torch.nn.functional.scaled_dot_product_attention")


@pytest.mark.parametrize("source", [
    # a hand-written backward laid out as a class (problem26)
    "class Manual:\n    @staticmethod\n    def backward(saved, g):\n        return g\n"
    "def attention_backward(q, k, v, g):\n    return Manual.backward(None, g)\n",
    # a helper method named like the library call (problem28)
    "class Helper:\n    def scaled_dot_product_attention(self, q, k, v):\n        return q\n"
    "    def __call__(self, q, k, v):\n        return self.scaled_dot_product_attention(q, k, v)\n",
    # other objects' attributes that are not called: set, or read
    "from types import SimpleNamespace\ndef f(g):\n    r = SimpleNamespace()\n    r.grad = g\n"
    "    return r.grad\n",
    # a self-check that never runs when graded
    "import torch\ndef f(q):\n    return q\n"
    "if __name__ == '__main__':\n    x = torch.ones(2, requires_grad=True)\n"
    "    f(x).sum().backward()\n    print(torch.autograd.grad)\n",
])
def test_own_names_and_self_checks_are_not_forbidden_uses(source: str) -> None:
    assert find_forbidden(ast.parse(source), source, "a.py", AUTOGRAD) is None


@pytest.mark.parametrize(("source", "line", "name"), [
    # the first use in reading order, named as what it is
    ("def f(q, out, g):\n    out.backward(g)\n    return q.grad\n", 2, "torch.Tensor.backward"),
    ("import torch\ndef f(x):\n    return torch.autograd.grad(x, x)\n", 3, "torch.autograd.grad"),
    ("import torch\nc = torch._C._nn\ndef f(q):\n    return c.scaled_dot_product_attention(q)\n",
     4, "torch.nn.functional.scaled_dot_product_attention"),
])
def test_forbidden_uses_are_named_in_reading_order(source: str, line: int, name: str) -> None:
    found = find_forbidden(ast.parse(source), source, "a.py", AUTOGRAD)
    assert found is not None and found.frame.line == line and f"uses {name}," in found.message
