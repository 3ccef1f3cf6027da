"""What hidden tests use to judge an attempt. Everything here runs in the trusted process.

A hidden test is a plain pytest function that takes the `candidate` fixture
(calls forwarded to the sandbox) and the `reference` fixture (the reference
solution module), and judges with these helpers. Each helper raises
`CheckFailure` carrying structured data, so feedback can show shapes, errors
and worst elements instead of a bare assertion message.

    def test_one_query(candidate, reference):
        "One query vector [d] against n keys gives one output vector [d_v]."
        q, k, v = randn(8, seed=1), randn(5, 8, seed=2), randn(5, 3, seed=3)
        expect_close(candidate.attention(q, k, v), reference.attention(q, k, v))
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import torch

from attn_practice.grader.catalog import DEFAULT_TOLERANCES, Tolerance
from attn_practice.grader.compare import (
    compare_tensors, same_bits, small_values, summarize, tolerance_for,
)
from attn_practice.grader.remote import AttemptError, RemoteFunction
from attn_practice.grader.results import Comparison, FailureKind



@dataclass(frozen=True)
class Judging:
    """What the checks of one grading run need to know: the problem's tolerances."""

    tolerances: Mapping[str, Tolerance] = field(
        default_factory=lambda: MappingProxyType(dict(DEFAULT_TOLERANCES)))


_judging: ContextVar[Judging | None] = ContextVar("judging", default=None)


def current_judging() -> Judging:
    """The context set by the grading run, or the defaults (a hidden test run by hand)."""
    return _judging.get() or Judging()


class CheckFailure(AssertionError):
    """A check that failed, with the data feedback needs."""

    def __init__(self, kind: FailureKind, message: str, comparison: Comparison | None = None,
                 also: list[Comparison] | None = None):
        super().__init__(message)
        self.kind, self.message, self.comparison = kind, message, comparison
        self.also = also or []  # the other values of a tuple that are wrong too


@contextlib.contextmanager
def judging(tolerances: Mapping[str, Tolerance]) -> Iterator[Judging]:
    """The context the hidden tests of one run are judged in (set around the pytest run)."""
    context = Judging(MappingProxyType(dict(tolerances)))
    token = _judging.set(context)
    try:
        yield context
    finally:
        _judging.reset(token)


# --- inputs ---------------------------------------------------------------------------


def randn(*shape: int, dtype: torch.dtype = torch.float32, seed: int = 0,
          scale: float = 1.0) -> torch.Tensor:
    """A reproducible normal tensor: the same seed gives the same values on every machine."""
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=gen, dtype=torch.float64) * scale).to(dtype)


def randint(low: int, high: int, *shape: int, seed: int = 0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(low, high, shape, generator=gen, dtype=torch.int64)


# --- judging values ---------------------------------------------------------------


def expect_close(actual: Any, expected: Any, what: str | Sequence[str] = "output",
                 tol: Tolerance | None = None, check_dtype: bool = True) -> None:
    """Tensors (or tuples/lists of them) equal within the dtype's tolerance; shape and dtype exact."""
    if isinstance(expected, (tuple, list)):
        names = [what] * len(expected) if isinstance(what, str) else list(what)
        if isinstance(what, str):
            names = [f"{what}[{i}]" for i in range(len(expected))]
        if not isinstance(actual, (tuple, list)):
            raise CheckFailure(FailureKind.TYPE, (
                f"expected a {type(expected).__name__} of {len(expected)} values "
                f"({', '.join(names)}), got {summarize(actual).describe()}"))
        if len(actual) != len(expected):
            # a list's length is a shape (the ids a decoder generated); a tuple's is what the
            # function returns, (output, weights)
            kind = FailureKind.SHAPE if isinstance(expected, list) else FailureKind.TYPE
            raise CheckFailure(kind, (
                f"expected {len(expected)} values ({', '.join(names)}), got {len(actual)}"))
        failures = []
        for a, e, name in zip(actual, expected, names):
            try:
                expect_close(a, e, name, tol, check_dtype)
            except CheckFailure as failure:
                failures.append(failure)
        if failures:  # the first one decides; the others come along (e.g. the weights' grid)
            first = failures[0]
            raise CheckFailure(first.kind, first.message, first.comparison,
                               [f.comparison for f in failures[1:] if f.comparison])
        return
    if isinstance(expected, torch.Tensor):
        tolerance = tol or tolerance_for(expected.dtype, current_judging().tolerances)
        kind, message, comp = compare_tensors(actual, expected, str(what), tolerance,
                                              check_dtype=check_dtype)
        if kind is not None:
            raise CheckFailure(kind, message, comp)
        return
    if actual != expected or type(actual) is not type(expected):
        raise CheckFailure(FailureKind.MISMATCH, (
            f"{what}: expected {summarize(expected).describe()}, got "
            f"{summarize(actual).describe()}"))


def expect_finite(actual: Any, what: str = "output") -> None:
    if not isinstance(actual, torch.Tensor):
        raise CheckFailure(FailureKind.TYPE, f"{what}: expected a torch.Tensor")
    if actual.is_floating_point() and not torch.isfinite(actual).all():
        nan, inf = int(torch.isnan(actual).sum()), int(torch.isinf(actual).sum())
        bad = ~torch.isfinite(actual)
        first = [int(i) for i in torch.nonzero(bad)[0]] if actual.dim() else []
        comp = Comparison(what=what, actual_shape=list(actual.shape),
                          actual_dtype=str(actual.dtype).removeprefix("torch."),
                          actual_nan=nan, actual_inf=inf, total=actual.numel(),
                          mismatched=int(bad.sum()), worst_index=first or None,
                          actual_values=small_values(actual))
        raise CheckFailure(FailureKind.NOT_FINITE,
                           f"{what}: {nan} NaN and {inf} Inf values (first at {first})", comp)


def expect_true(condition: bool, message: str, kind: FailureKind = FailureKind.OTHER) -> None:
    if not condition:
        raise CheckFailure(kind, message)


@contextlib.contextmanager
def expect_raises(exception: type[BaseException], *, mentions: Sequence[str] = ()) -> Iterator[None]:
    """The call inside must raise `exception` (by name, in the sandbox) whose message mentions each string."""
    name = exception.__name__
    try:
        yield
    except AttemptError as err:
        remote = err.error
        if remote.kind.ends_the_call:
            raise
        if not remote.is_a(name):
            raise CheckFailure(FailureKind.WRONG_EXCEPTION, (
                f"expected {name}, but your function raised {remote.type}: {remote.message}"
            )) from None
        missing = [m for m in mentions if m not in remote.message]
        if missing:
            raise CheckFailure(FailureKind.WRONG_EXCEPTION, (
                f"raised {name} as it should, but its message {remote.message!r} does not "
                f"mention {', '.join(repr(m) for m in missing)}: the statement says what "
                "the message must name"
            )) from None
    else:
        raise CheckFailure(FailureKind.DID_NOT_RAISE,
                           f"expected {name}, but your function returned normally")


# --- judging behaviour ------------------------------------------------------------


def check_gradients(fn: RemoteFunction, reference: Any, args: Sequence[Any], wrt: Sequence[int],
                    *, output: int | None = None, names: Sequence[str] | None = None,
                    seed: int = 1234) -> None:
    """Backpropagate the same random cotangent through attempt and reference; compare the grads."""
    ref_args = [a.detach().clone().requires_grad_(i in wrt) if isinstance(a, torch.Tensor) else a
                for i, a in enumerate(args)]
    ref_out = reference(*ref_args)
    ref_main = ref_out if output is None else ref_out[output]
    cotangent = randn(*ref_main.shape, dtype=ref_main.dtype, seed=seed)
    # a scalar VJP: grad_outputs= would make torch import sympy (seconds)
    expected = torch.autograd.grad((ref_main * cotangent).sum(), [ref_args[i] for i in wrt],
                                   allow_unused=True)
    _, grads = fn.with_grad(*args, wrt=list(wrt), cotangent=cotangent, output=output)
    labels = list(names) if names else [f"argument {i}" for i in wrt]
    for got, exp, label in zip(grads, expected, labels):
        if got is None:
            raise CheckFailure(FailureKind.GRADIENT, (
                f"no gradient reached {label}: the output does not depend on it through "
                "autograd"))
        try:
            expect_close(got, exp, what=f"gradient of {label}")
        except CheckFailure as failure:
            raise CheckFailure(FailureKind.GRADIENT, failure.message, failure.comparison) from None


def check_inputs_unchanged(fn: RemoteFunction, *args: Any, names: Sequence[str] | None = None,
                           **kwargs: Any) -> Any:
    """Call once; fail if any tensor input came back changed (an in-place edit)."""
    value, args_after, kwargs_after = fn.with_inputs_after(*args, **kwargs)
    labels = list(names) if names else [f"argument {i}" for i in range(len(args))]
    pairs = list(zip(args, args_after, labels))
    pairs += [(v, kwargs_after.get(k), k) for k, v in kwargs.items()]
    for before, after, label in pairs:
        changed = _changed(before, after)
        if changed is not None:
            where = label + changed
            raise CheckFailure(FailureKind.MODIFIED_INPUT, (
                f"your function changed its input {where} in place; work on new tensors "
                "instead (avoid in-place operations such as x /= ..., x.masked_fill_(...))"))
    return value


def _changed(before: Any, after: Any) -> str | None:
    """'' if a tensor changed, '[key]...' for one inside a dict or list, None if unchanged."""
    if isinstance(before, torch.Tensor):
        same = isinstance(after, torch.Tensor) and after.shape == before.shape and \
            after.dtype == before.dtype and same_bits(after, before)
        return None if same else ""
    if isinstance(before, dict):
        for key, value in before.items():
            inner = _changed(value, after.get(key) if isinstance(after, dict) else None)
            if inner is not None:
                return f"[{key!r}]{inner}"
    if isinstance(before, (list, tuple)):
        for i, value in enumerate(before):
            other = after[i] if isinstance(after, (list, tuple)) and i < len(after) else None
            inner = _changed(value, other)
            if inner is not None:
                return f"[{i}]{inner}"
    return None

