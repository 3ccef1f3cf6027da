"""Numerical comparison in the trusted process, producing `Comparison` data.

Shape and dtype are compared first and never broadcast: a `[4, 1]` answer is
wrong for a `[4]` question even where the numbers would broadcast to agree.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from attn_practice.grader.catalog import DEFAULT_TOLERANCES, Tolerance
from attn_practice.grader.results import Comparison, FailureKind, TensorSummary

SMALL_NUMEL = 36  # tensors up to this size are shown element by element
GRID = 16  # attention weights up to GRID x GRID are shown as shaded grids


def dtype_name(t: torch.Tensor) -> str:
    return str(t.dtype).removeprefix("torch.")


def summarize(value: Any) -> TensorSummary:
    if isinstance(value, torch.Tensor):
        return TensorSummary("tensor", dtype_name(value), list(value.shape), small_values(value))
    if type(value).__module__.startswith("numpy") and hasattr(value, "shape"):
        return TensorSummary("ndarray", str(value.dtype), list(value.shape))
    if value is None:
        return TensorSummary("none", text="None")
    if isinstance(value, (bool, int, float, str)):
        text = repr(value)
        return TensorSummary("scalar", text=text if len(text) < 60 else text[:57] + "...")
    if isinstance(value, (list, tuple)):
        inner = ", ".join(summarize(v).describe() for v in value[:6])
        more = ", ..." if len(value) > 6 else ""
        brackets = "[]" if isinstance(value, list) else "()"
        return TensorSummary("sequence", text=f"{brackets[0]}{inner}{more}{brackets[1]}")
    return TensorSummary("other", text=type(value).__name__)


def small_values(t: torch.Tensor) -> Any:
    if t.numel() > SMALL_NUMEL or t.dim() > 3:
        return None
    if t.is_floating_point():
        return [_round(v) for v in t.detach().double().reshape(-1).tolist()] if t.dim() <= 1 \
            else _nested_round(t.detach().double().tolist())
    return t.detach().tolist()


def _round(v: float) -> float:
    return v if not math.isfinite(v) else float(f"{v:.6g}")


def _nested_round(x: Any) -> Any:
    return [_nested_round(v) for v in x] if isinstance(x, list) else _round(x)


def tolerance_for(dtype: torch.dtype, tolerances: dict[str, Tolerance] | None) -> Tolerance:
    name = str(dtype).removeprefix("torch.")
    table = tolerances or DEFAULT_TOLERANCES
    return table.get(name) or DEFAULT_TOLERANCES.get(name) or Tolerance(0.0, 0.0)


def compare_tensors(
    actual: Any, expected: torch.Tensor, what: str, tol: Tolerance, *, check_dtype: bool = True
) -> tuple[FailureKind | None, str, Comparison]:
    """Return (failure kind or None, message, comparison) for one expected tensor."""
    comp = Comparison(what=what, expected_shape=list(expected.shape),
                      expected_dtype=dtype_name(expected), rtol=tol.rtol, atol=tol.atol)
    if not isinstance(actual, torch.Tensor):
        return FailureKind.TYPE, (
            f"{what}: expected a torch.Tensor, got {summarize(actual).describe()} "
            f"({type(actual).__name__})"), comp
    comp.actual_shape, comp.actual_dtype = list(actual.shape), dtype_name(actual)
    if actual.shape != expected.shape:
        return FailureKind.SHAPE, (
            f"{what}: expected shape {tuple(expected.shape)}, got {tuple(actual.shape)}"), comp
    if check_dtype and actual.dtype != expected.dtype:
        return FailureKind.DTYPE, (
            f"{what}: expected dtype {comp.expected_dtype}, got {comp.actual_dtype}"), comp
    a = actual.detach().to(torch.float64) if actual.is_floating_point() or expected.is_floating_point() \
        else actual.detach()
    e = expected.detach().to(a.dtype)
    comp.total = e.numel()
    if a.is_floating_point():
        comp.actual_nan = int(torch.isnan(a).sum())
        comp.actual_inf = int(torch.isinf(a).sum())
    if e.numel() <= SMALL_NUMEL:
        comp.expected_values, comp.actual_values = small_values(expected), small_values(actual)
    if e.numel() == 0:
        return None, "", comp
    if not a.is_floating_point():
        bad = a != e
        comp.mismatched = int(bad.sum())
        if comp.mismatched:
            idx = _first_index(bad)
            comp.worst_index = idx
            comp.expected_at_worst, comp.actual_at_worst = float(e[tuple(idx)]), float(a[tuple(idx)])
            return FailureKind.MISMATCH, f"{what}: {comp.mismatched} of {comp.total} values differ", comp
        return None, "", comp
    both_nan = torch.isnan(a) & torch.isnan(e)
    diff = torch.where(both_nan, torch.zeros_like(a), (a - e).abs())
    diff = torch.nan_to_num(diff, nan=math.inf)
    same_inf = torch.isinf(a) & torch.isinf(e) & (torch.sign(a) == torch.sign(e))
    diff = torch.where(same_inf, torch.zeros_like(diff), diff)
    allowed = tol.atol + tol.rtol * e.abs()
    allowed = torch.nan_to_num(allowed, nan=0.0, posinf=math.inf)
    bad = diff > allowed
    # relative error only where the expected value is not (nearly) zero
    rel = torch.where(e.abs() > tol.atol, diff / e.abs().clamp_min(1e-300), torch.zeros_like(diff))
    worst = int(torch.argmax(torch.where(bad, diff - allowed, -allowed)).item()) if bad.any() \
        else int(torch.argmax(diff).item())
    idx = list(_unravel(worst, list(e.shape)))
    comp.max_abs_error = _finite_or_inf(diff.max().item())
    # over the values that are wrong and whose expected value is not ~0 (else it means nothing)
    defined = (e.abs() > tol.atol) & (bad if bool(bad.any()) else torch.ones_like(bad))
    comp.max_rel_error = (_finite_or_inf(rel[defined].max().item()) if bool(defined.any())
                          else None)
    comp.worst_index = idx
    comp.expected_at_worst = float(e[tuple(idx)]) if idx or e.dim() == 0 else None
    comp.actual_at_worst = float(a[tuple(idx)]) if idx or e.dim() == 0 else None
    comp.mismatched = int(bad.sum())
    if not comp.mismatched:
        return None, "", comp
    if _looks_like_weights(what, e):
        _weight_grids(comp, a, e)
    if (comp.actual_nan or comp.actual_inf) and torch.isfinite(e).all():
        found = " and ".join(f"{n} {w}" for n, w in ((comp.actual_nan, "NaN"),
                                                      (comp.actual_inf, "Inf")) if n)
        return FailureKind.NOT_FINITE, f"{what}: {found} where every expected value is finite", comp
    rel = "" if comp.max_rel_error is None else f", max rel error {comp.max_rel_error:.3g}"
    return FailureKind.MISMATCH, (
        f"{what}: {comp.mismatched} of {comp.total} values differ beyond tolerance "
        f"(max abs error {comp.max_abs_error:.3g}{rel})"), comp


def _looks_like_weights(what: str, e: torch.Tensor) -> bool:
    """Attention weights of at most 16 x 16: in [0, 1], each row summing to 1 (or 0, masked)."""
    if e.dim() < 2 or e.shape[-1] > GRID or e.shape[-2] > GRID or e.numel() == 0:
        return False
    if "weight" in what.lower():
        return True
    if not bool(torch.isfinite(e).all()) or bool((e < 0).any()) or bool((e > 1).any()):
        return False
    sums = e.sum(-1)
    return bool((((sums - 1).abs() < 1e-5) | (sums.abs() < 1e-12)).all())


def _weight_grids(comp: Comparison, a: torch.Tensor, e: torch.Tensor) -> None:
    """One matrix of each (where the worst element is), for the report's shaded grids."""
    lead = list(comp.worst_index[:-2]) if comp.worst_index and len(comp.worst_index) >= 2 \
        else [0] * (e.dim() - 2)
    comp.grid_at = lead
    comp.grid_expected = _nested_round(e[tuple(lead)].tolist())
    comp.grid_actual = _nested_round(a[tuple(lead)].tolist())


def _first_index(mask: torch.Tensor) -> list[int]:
    flat = int(torch.nonzero(mask.reshape(-1))[0].item())
    return list(_unravel(flat, list(mask.shape)))


def _unravel(flat: int, shape: list[int]) -> tuple[int, ...]:
    idx = []
    for size in reversed(shape):
        idx.append(flat % size)
        flat //= size
    return tuple(reversed(idx))


def _finite_or_inf(v: float) -> float:
    return v if not math.isnan(v) else math.inf


def agree(a: Any, b: Any, tol: Tolerance) -> bool:
    """Loose structural equality for diagnosis: same types and shapes, close values, NaN == NaN."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if not a.is_floating_point():
            return bool(torch.equal(a.detach().cpu().to(torch.float64), b.detach().cpu().to(torch.float64)))
        return bool(torch.allclose(a.detach().double(), b.detach().double(),
                                   rtol=tol.rtol, atol=tol.atol, equal_nan=True))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(agree(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(agree(a[k], b[k], tol) for k in a)
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=tol.rtol,
                                                                  abs_tol=tol.atol)
    return type(a) is type(b) and a == b


def clone(value: Any) -> Any:
    """A deep copy of call arguments (tensors detached), nested lists, tuples and dicts too."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, (list, tuple)):
        return type(value)(clone(v) for v in value)
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    return value


def same_bits(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Same shape, dtype and values, NaN equal to NaN (a cache full of NaN is unchanged too)."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if not a.is_floating_point():
        return bool(torch.equal(a, b))
    return bool(((a == b) | (torch.isnan(a) & torch.isnan(b))).all())


def gap(a: Any, b: Any) -> float | None:
    """The largest absolute difference between two values of one structure (NaN against NaN
    and equal infinities count as equal); None where they cannot be compared this way."""
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        if a.shape != b.shape:
            return None
        if not (a.is_floating_point() and b.is_floating_point()):
            return 0.0 if torch.equal(a, b) else None
        x, y = a.double(), b.double()
        diff = (x - y).abs()
        diff[(x.isnan() & y.isnan()) | (x.isinf() & (x == y))] = 0.0
        return float(diff.nan_to_num(nan=float("inf")).max()) if diff.numel() else 0.0
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            return None
        gaps = [gap(x, y) for x, y in zip(a, b)]
        return None if None in gaps else max(gaps, default=0.0)
    if a is None and b is None:
        return 0.0
    try:
        return 0.0 if bool(a == b) else None
    except Exception:  # noqa: BLE001 - values that do not compare
        return None
