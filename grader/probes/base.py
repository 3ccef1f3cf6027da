"""What every probe builds on: the recorded calls of the probed function, calling the attempt
and the reference with changed arguments, reading attention weights, and small comparisons."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from types import ModuleType
from typing import Any

import torch

from attn_practice.grader.catalog import Tolerance
from attn_practice.grader.compare import agree, clone
from attn_practice.grader.probes.spec import ProbeSpec
from attn_practice.grader.probes.texts import TEXTS
from attn_practice.grader.remote import CallLog, CallRecord, Candidate
from attn_practice.grader.results import Finding

LOOSE = Tolerance(rtol=1e-3, atol=1e-4)  # "the same", across float32 orders of operations
SUMS_TO_ONE = 1e-3


class Skip(Exception):
    """This probe does not apply to these calls."""


class ProberBase:
    def __init__(self, spec: ProbeSpec, log: CallLog, candidate: Candidate,
                 reference: ModuleType, failing: list[str], lang: str) -> None:
        self.spec, self.log, self.candidate, self.lang = spec, log, candidate, lang
        self.fn = getattr(reference, spec.function)
        self.signature = inspect.signature(self.fn)
        self.names = list(self.signature.parameters)
        records = [r for r in log.records if r.function == spec.function and r.outcome is not None
                   and r.outcome.ok and not r.test.startswith("probe:") and not r.measured]
        # calls of the failing checks first: that is where the attempt is wrong
        self.records = sorted(records, key=lambda r: r.test not in failing)

    # -- helpers ---------------------------------------------------------------------------

    def _finding(self, kind: str, **fields: Any) -> Finding:
        text = TEXTS[kind]
        pick = (lambda d: d.get(self.lang) or d["en"])
        return Finding(f"probe:{kind}", pick(text["title"]).format(**fields),
                       pick(text["diagnosis"]).format(**fields), fields)

    def _first(self, keep: Callable[[CallRecord], bool]) -> CallRecord:
        for record in self.records:
            if keep(record):
                return record
        raise Skip

    def _masked(self) -> list[CallRecord]:
        if not self.spec.mask:
            raise Skip
        return [r for r in self.records
                if isinstance(self._bound(*self._call_args(r)).get(self.spec.mask), torch.Tensor)
                and self._bound(*self._call_args(r))[self.spec.mask].dtype == torch.bool]

    def _unmasked(self) -> list[CallRecord]:
        if self.spec.mask is None:
            return self.records
        return [r for r in self.records if self._bound(*self._call_args(r)).get(self.spec.mask) is None]

    @staticmethod
    def _call_args(record: CallRecord) -> tuple[list, dict]:
        return [clone(a) for a in record.args], {k: clone(v) for k, v in record.kwargs.items()}

    def _bound(self, args: list, kwargs: dict) -> dict[str, Any]:
        try:
            bound = self.signature.bind(*args, **kwargs)
        except TypeError:
            raise Skip from None
        bound.apply_defaults()
        return dict(bound.arguments)

    def _positional(self, bound: dict[str, Any]) -> list[Any]:
        """Every argument by position, so the attempt's own parameter names do not matter."""
        return [clone(bound[n]) for n in self.names if n in bound]

    def _remote(self, kind: str):
        self.log.current_test = f"probe:{kind}"
        return getattr(self.candidate, self.spec.function)

    def _call(self, kind: str, bound: dict[str, Any]) -> Any:
        return self._remote(kind)(*self._positional(bound))

    def _reference(self, record: CallRecord) -> Any:
        return self._run_reference(self._bound(*self._call_args(record)))

    def _run_reference(self, bound: dict[str, Any]) -> Any:
        try:
            with torch.no_grad():
                return self.fn(*self._positional(bound))
        except Exception:  # noqa: BLE001 - inputs this function does not take
            raise Skip from None

    def _out(self, value: Any) -> Any:
        if self.spec.output is not None and isinstance(value, (tuple, list)) and \
                len(value) > self.spec.output:
            return value[self.spec.output]
        return value

    def _weights(self, record: CallRecord) -> torch.Tensor | None:
        return self._weights_of(self._bound(*self._call_args(record)))

    def _weights_of(self, bound: dict[str, Any], reference: bool = False) -> torch.Tensor | None:
        """The attention weights for these inputs: returned by the function, or read off its
        output with the values replaced by an identity (output = weights @ I)."""
        if self.spec.weights is not None:
            value = self._run_reference(bound) if reference else self._call("weights", bound)
            if isinstance(value, (tuple, list)) and len(value) > self.spec.weights:
                w = value[self.spec.weights]
                return w.detach().double() if isinstance(w, torch.Tensor) else None
            return None
        v = bound.get(self.spec.v or "")
        if not isinstance(v, torch.Tensor) or v.dim() < 2 or not v.is_floating_point():
            return None
        n = v.shape[-2]
        eye = torch.eye(n, dtype=v.dtype).expand(*v.shape[:-2], n, n).clone()
        changed = {**bound, self.spec.v: eye}
        value = self._run_reference(changed) if reference else self._call("weights", changed)
        out = self._out(value)
        return out.detach().double() if isinstance(out, torch.Tensor) else None

    def _batch_size(self, bound: dict[str, Any]) -> int | None:
        seq = [bound.get(n) for n in (self.spec.sequence or (self.spec.q,)) if n]
        first = seq[0] if seq else None
        if not isinstance(first, torch.Tensor) or first.dim() < 3 or first.shape[0] < 2:
            return None
        return int(first.shape[0])

    @staticmethod
    def _batched(value: Any, lead: int) -> bool:
        return isinstance(value, torch.Tensor) and value.dim() >= 3 and value.shape[0] == lead



def expand(mask: torch.Tensor, weights: torch.Tensor | None) -> torch.Tensor | None:
    """The mask broadcast to the weights' shape, or None where it does not fit."""
    if weights is None:
        return None
    try:
        return mask.expand_as(weights)
    except RuntimeError:
        return None


def magnitude(bound: dict[str, Any]) -> float:
    values = [float(v.abs().max()) for v in bound.values()
              if isinstance(v, torch.Tensor) and v.is_floating_point() and v.numel()]
    return max(values, default=0.0)


def block_order_list(got: list, want: list) -> list[int] | None:
    """If got holds want's values in another order, that order."""
    order = []
    for value in got:
        match = [j for j, w in enumerate(want) if agree(value, w, LOOSE)]
        if len(match) != 1:
            return None
        order.append(match[0])
    return order if order != list(range(len(want))) and sorted(order) == list(range(len(want))) \
        else None


def same_rows(got: torch.Tensor, want: torch.Tensor) -> bool:
    """The same vectors, in another arrangement (each row of got matches one row of want)."""
    if got.shape != want.shape or got.shape[0] > 4096:
        return False
    distance = torch.cdist(got.double(), want.double())  # [rows, rows]
    close = distance <= LOOSE.atol + LOOSE.rtol * want.double().norm(dim=-1)[None, :]
    used: set[int] = set()
    for row in close:
        free = [j for j in torch.nonzero(row).flatten().tolist() if j not in used]
        if not free:
            return False
        used.add(free[0])
    return True


def identity_like(w: Any) -> Any:
    if not isinstance(w, torch.Tensor) or w.dim() != 2:
        raise Skip
    rows, cols = w.shape
    return torch.eye(rows, cols, dtype=w.dtype)


def fit_scale(raw: torch.Tensor, weights: torch.Tensor) -> float | None:
    """The s in weights = softmax(raw / s), by least squares on the log weights of each row."""
    if (weights <= 0).any() or raw.shape[-1] < 2:
        return None
    x = raw - raw.mean(-1, keepdim=True)
    y = weights.log() - weights.log().mean(-1, keepdim=True)
    denom = float((x * x).sum())
    if denom <= 1e-12:
        return None
    slope = float((x * y).sum()) / denom
    return 1 / slope if slope > 1e-9 else None


def scale_name(s: float, d: int, heads: Any) -> str | None:
    """Which of the usual factors s is (within 2%), named as a learner would write it."""
    candidates = {"1 (no scaling)": 1.0, "sqrt(d)": math.sqrt(d), "d": float(d)}
    if isinstance(heads, int) and heads > 1:
        candidates["sqrt(d/h)"] = math.sqrt(d / heads)
        candidates["sqrt(d * h)"] = math.sqrt(d * heads)
    for name, value in candidates.items():
        if abs(s / value - 1) < 0.02:
            return name
    return None


def block_order(got: torch.Tensor, blocks: torch.Tensor) -> list[int] | None:
    """If got's head blocks are the reference's in another order, that order."""
    h = blocks.shape[-2]
    order = []
    for i in range(h):
        match = [j for j in range(h) if agree(got[..., i, :], blocks[..., j, :], LOOSE)]
        if len(match) != 1:
            return None
        order.append(match[0])
    return order if order != list(range(h)) and sorted(order) == list(range(h)) else None
