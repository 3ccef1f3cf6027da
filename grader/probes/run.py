"""The probes themselves. Each looks at one kind of error and returns a finding or None."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from types import ModuleType
from typing import Any

import torch

from attn_practice.grader.catalog import Problem, Tolerance
from attn_practice.grader.compare import agree
from attn_practice.grader.probes.spec import ProbeSpec
from attn_practice.grader.probes.texts import TEXTS
from attn_practice.grader.remote import AttemptError, CallLog, CallRecord, Candidate
from attn_practice.grader.results import Finding

LOOSE = Tolerance(rtol=1e-3, atol=1e-4)  # "the same", across float32 orders of operations
SUMS_TO_ONE = 1e-3


def probe(problem: Problem, spec: ProbeSpec, log: CallLog, candidate: Candidate,
          reference: ModuleType, failing: list[str], lang: str = "en") -> list[Finding]:
    """Run every probe that applies; the findings, most specific first."""
    prober = _Prober(spec, log, candidate, reference, failing, lang)
    families = (
        (prober.return_order,),
        (prober.inputs_modified,),
        (prober.mask_inverted, prober.mask_after_softmax, prober.mask_finite_penalty,
         prober.not_finite),
        (prober.softmax_axis,),
        (prober.scale,),
        (prober.causal_leak,),
        (prober.heads,),
        (prober.batch_mixing,),
        (prober.precision,),
    )
    found = []
    for family in families:  # within a family, the first (most specific) finding wins
        for check in family:
            try:
                finding = check()
            except (AttemptError, _Skip):
                finding = None
            if finding is not None:
                found.append(finding)
                break
    return found


class _Skip(Exception):
    """This probe does not apply to these calls."""


class _Prober:
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

    # -- the probes ----------------------------------------------------------------------

    def inputs_modified(self) -> Finding | None:
        record = self._first(lambda r: True)
        args, kwargs = self._call_args(record)
        _, args_after, kwargs_after = self._remote("inputs-modified").with_inputs_after(
            *args, **kwargs)
        for name, before in self._bound(args, kwargs).items():
            after = self._bound(list(args_after), kwargs_after).get(name)
            if isinstance(before, torch.Tensor) and isinstance(after, torch.Tensor) and \
                    not _same_bits(before, after):
                return self._finding("inputs-modified", arg=name)
        return None

    def precision(self) -> Finding | None:
        """float64 calls whose results are float32 (or off by float32's rounding, everywhere)."""
        errors = []
        for record in self.records:
            if not any(isinstance(a, torch.Tensor) and a.dtype == torch.float64
                       for a in self._bound(*self._call_args(record)).values()):
                continue
            got, want = self._out(record.outcome.value), self._out(self._reference(record))
            if not (isinstance(got, torch.Tensor) and isinstance(want, torch.Tensor)) or \
                    got.shape != want.shape or not want.is_floating_point():
                continue
            if got.dtype == torch.float32 and want.dtype == torch.float64:
                return self._finding("float32-result")
            if got.dtype != torch.float64:
                continue
            errors.append(float(((got - want).abs() / (want.abs() + 1e-6)).max()))
        # every float64 call off by float32 rounding, and at least one visibly so
        if errors and max(errors) < 1e-5 and max(errors) > 1e-9:
            return self._finding("float32-in-float64", error=max(errors))
        return None

    def return_order(self) -> Finding | None:
        """A tuple whose values are the reference's in another order."""
        for record in self.records:
            got, want = record.outcome.value, self._reference(record)
            if not (isinstance(got, (tuple, list)) and isinstance(want, (tuple, list))) or \
                    len(got) != len(want) or len(got) < 2 or agree(list(got), list(want), LOOSE):
                continue
            order = _block_order_list(list(got), list(want))
            if order is not None:
                return self._finding("return-order", order=", ".join(map(str, order)))
            return None
        return None

    def not_finite(self) -> Finding | None:
        """NaN or Inf where the right answer is finite: a fully masked row, or exp overflowing."""
        for record in self.records:
            got, want = self._out(record.outcome.value), self._out(self._reference(record))
            if not (isinstance(got, torch.Tensor) and isinstance(want, torch.Tensor)) or \
                    not got.is_floating_point() or bool(torch.isfinite(got).all()) or \
                    not bool(torch.isfinite(want).all()):
                continue
            mask = self._bound(*self._call_args(record)).get(self.spec.mask or "")
            if isinstance(mask, torch.Tensor) and mask.dtype == torch.bool and \
                    not bool(mask.any(-1).all()):
                return self._finding("nan-fully-masked")
            if _magnitude(self._bound(*self._call_args(record))) > 30:
                return self._finding("overflow")
            return self._finding("nan-output")
        return None

    def batch_mixing(self) -> Finding | None:
        for record in self.records:
            bound = self._bound(*self._call_args(record))
            lead = self._batch_size(bound)
            if lead is None:
                continue
            got = self._out(record.outcome.value)
            want = self._out(self._reference(record))
            if not isinstance(got, torch.Tensor) or agree(got, want, LOOSE):
                continue
            alone = []
            for i in range(lead):
                part = {n: (v[i] if self._batched(v, lead) else v) for n, v in bound.items()}
                alone.append(self._out(self._call("batch-mixing", part)))
            if all(isinstance(a, torch.Tensor) for a in alone) and \
                    agree(torch.stack(alone), want, LOOSE):
                return self._finding("batch-mixing", batch=lead)
        return None

    def causal_leak(self) -> Finding | None:
        if not self.spec.sequence:
            raise _Skip
        for record in self.records:
            bound = self._bound(*self._call_args(record))
            causal = self.spec.causal or (self.spec.causal_flag is not None
                                          and bound.get(self.spec.causal_flag) is True)
            seq = bound.get(self.spec.sequence[0])
            if not causal or not isinstance(seq, torch.Tensor) or seq.dim() < 2 or seq.shape[-2] < 3:
                continue
            changed = dict(bound)
            for name in self.spec.sequence:
                x = bound[name].clone()
                x[..., -1, :] = x[..., -1, :] + 1.0 + torch.linspace(0, 1, x.shape[-1], dtype=x.dtype)
                changed[name] = x
            before = self._out(self._call("causal-leak", bound))
            after = self._out(self._call("causal-leak", changed))
            if not (isinstance(before, torch.Tensor) and isinstance(after, torch.Tensor)) or \
                    before.shape != after.shape or before.dim() < 2:
                continue
            change = float((before[..., :-1, :] - after[..., :-1, :]).abs().max())
            if change > 1e-4:
                return self._finding("causal-leak", arg=self.spec.sequence[0], change=change)
            return None
        return None

    def softmax_axis(self) -> Finding | None:
        for record in self._unmasked():
            weights = self._weights(record)
            if weights is None or weights.dim() < 2 or weights.shape[-1] < 2 or weights.shape[-2] < 2:
                continue
            over_keys = (weights.sum(-1) - 1).abs().max()
            over_queries = (weights.sum(-2) - 1).abs().max()
            if over_queries < SUMS_TO_ONE and over_keys > 10 * SUMS_TO_ONE:
                return self._finding("softmax-axis")
            return None
        return None

    def scale(self) -> Finding | None:
        if not (self.spec.q and self.spec.k):
            raise _Skip
        for record in self._unmasked():
            bound = self._bound(*self._call_args(record))
            q, k = bound.get(self.spec.q), bound.get(self.spec.k)
            if not (isinstance(q, torch.Tensor) and isinstance(k, torch.Tensor)) or \
                    not q.is_floating_point() or q.shape[-1] != k.shape[-1]:
                continue
            identities = {n: _identity_like(bound[n]) for n in self.spec.identity if n in bound}
            bound = {**bound, **identities}
            weights = self._weights_of(bound)
            want = self._weights_of(bound, reference=True)
            if weights is None or want is None:
                continue
            raw = q.double() @ k.double().transpose(-2, -1)  # [..., m, n]
            if raw.shape != weights.shape or raw.shape != want.shape:
                continue
            fitted, expected = _fit_scale(raw, weights), _fit_scale(raw, want)
            if fitted is None or expected is None:
                continue  # weights that underflowed to 0 cannot be fitted: try another call
            if abs(fitted / expected - 1) < 0.02:
                return None
            heads = bound.get(self.spec.heads) if self.spec.heads else None
            used, should = _scale_name(fitted, q.shape[-1], heads), _scale_name(expected, q.shape[-1], heads)
            if used is None or should is None or used == should:
                return None
            return self._finding("scale", used=used, expected=should, fitted=fitted)
        return None

    def mask_inverted(self) -> Finding | None:
        for record in self._masked():
            bound = self._bound(*self._call_args(record))
            if _magnitude(bound) > 100:
                continue  # huge scores make other mask errors look inverted
            mask = bound[self.spec.mask]
            inverse = ~mask
            if not bool(inverse.any(-1).all()) or not bool((mask.any(-1) & inverse.any(-1)).any()):
                continue  # rows must mix allowed and masked keys, or inverting tells nothing
            got = self._out(record.outcome.value)
            want = self._out(self._reference(record))
            if not isinstance(got, torch.Tensor) or agree(got, want, LOOSE):
                continue
            flipped = self._out(self._run_reference({**bound, self.spec.mask: inverse}))
            if isinstance(flipped, torch.Tensor) and not agree(want, flipped, LOOSE) and \
                    agree(got, flipped, LOOSE):  # informative: inverting changes the answer
                return self._finding("mask-inverted")
        return None

    def mask_after_softmax(self) -> Finding | None:
        for record in self._masked():
            bound = self._bound(*self._call_args(record))
            if _magnitude(bound) > 100:
                continue  # at ordinary magnitudes only: huge scores are the penalty's probe
            mask = bound[self.spec.mask]
            weights = self._weights_of(bound)
            allowed = _expand(mask, weights)
            if allowed is None:
                continue
            keeps = allowed.any(-1)
            masked_zero = bool((weights[~allowed] == 0).all()) if (~allowed).any() else False
            totals = weights.sum(-1)[keeps]
            if masked_zero and totals.numel() and float(totals.min()) < 1 - 10 * SUMS_TO_ONE:
                return self._finding("mask-after-softmax", total=float(totals.min()))
            return None
        return None

    def mask_finite_penalty(self) -> Finding | None:
        if not self.spec.sequence and not self.spec.q:
            raise _Skip
        for record in self._masked():
            bound = self._bound(*self._call_args(record))
            mask = bound[self.spec.mask]
            if not bool(mask.any(-1).all()) or bool(mask.all()):
                continue
            loud = dict(bound)
            for name in {*self.spec.sequence, *(n for n in (self.spec.q, self.spec.k) if n)}:
                if isinstance(bound.get(name), torch.Tensor) and bound[name].is_floating_point():
                    loud[name] = bound[name] * 1e3  # scores a million times larger
            weights = self._weights_of(loud)
            allowed = _expand(mask, weights)
            if allowed is None:
                continue
            leak = float(weights[~allowed].abs().max()) if (~allowed).any() else 0.0
            deficit = float((1 - weights.sum(-1)[allowed.any(-1)]).abs().max())
            if leak > 1e-6 or deficit > 1e-3:
                return self._finding("mask-finite-penalty", leak=max(leak, deficit))
            return None
        return None

    def heads(self) -> Finding | None:
        if not self.spec.heads:
            raise _Skip
        for record in self.records:
            bound = self._bound(*self._call_args(record))
            h = bound.get(self.spec.heads)
            if not isinstance(h, int) or h < 2:
                continue
            if self.spec.w_o:
                bound = {**bound, self.spec.w_o: _identity_like(bound[self.spec.w_o])}
            got = self._out(self._call("heads", bound))
            want = self._out(self._run_reference(bound))
            if not (isinstance(got, torch.Tensor) and isinstance(want, torch.Tensor)) or \
                    got.shape != want.shape or agree(got, want, LOOSE) or want.shape[-1] % h:
                continue
            d_h = want.shape[-1] // h
            blocks = want.unflatten(-1, (h, d_h))  # [..., h, d_h]
            interleaved = want.unflatten(-1, (h, d_h)).transpose(-2, -1).flatten(-2)
            if agree(got, interleaved, LOOSE):
                return self._finding("heads-interleaved")
            order = _block_order(got.unflatten(-1, (h, d_h)), blocks)
            if order is not None:
                return self._finding("heads-permuted", order=", ".join(map(str, order)))
            if _same_rows(got.reshape(-1, d_h), blocks.reshape(-1, d_h)):
                return self._finding("heads-misplaced")
            return None
        return None

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
        raise _Skip

    def _masked(self) -> list[CallRecord]:
        if not self.spec.mask:
            raise _Skip
        return [r for r in self.records
                if isinstance(self._bound(*self._call_args(r)).get(self.spec.mask), torch.Tensor)
                and self._bound(*self._call_args(r))[self.spec.mask].dtype == torch.bool]

    def _unmasked(self) -> list[CallRecord]:
        if self.spec.mask is None:
            return self.records
        return [r for r in self.records if self._bound(*self._call_args(r)).get(self.spec.mask) is None]

    @staticmethod
    def _call_args(record: CallRecord) -> tuple[list, dict]:
        return [_clone(a) for a in record.args], {k: _clone(v) for k, v in record.kwargs.items()}

    def _bound(self, args: list, kwargs: dict) -> dict[str, Any]:
        try:
            bound = self.signature.bind(*args, **kwargs)
        except TypeError:
            raise _Skip from None
        bound.apply_defaults()
        return dict(bound.arguments)

    def _positional(self, bound: dict[str, Any]) -> list[Any]:
        """Every argument by position, so the attempt's own parameter names do not matter."""
        return [_clone(bound[n]) for n in self.names if n in bound]

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
            raise _Skip from None

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


def _clone(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, (list, tuple)):
        return type(value)(_clone(v) for v in value)
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    return value


def _expand(mask: torch.Tensor, weights: torch.Tensor | None) -> torch.Tensor | None:
    """The mask broadcast to the weights' shape, or None where it does not fit."""
    if weights is None:
        return None
    try:
        return mask.expand_as(weights)
    except RuntimeError:
        return None


def _magnitude(bound: dict[str, Any]) -> float:
    values = [float(v.abs().max()) for v in bound.values()
              if isinstance(v, torch.Tensor) and v.is_floating_point() and v.numel()]
    return max(values, default=0.0)


def _block_order_list(got: list, want: list) -> list[int] | None:
    """If got holds want's values in another order, that order."""
    order = []
    for value in got:
        match = [j for j, w in enumerate(want) if agree(value, w, LOOSE)]
        if len(match) != 1:
            return None
        order.append(match[0])
    return order if order != list(range(len(want))) and sorted(order) == list(range(len(want))) \
        else None


def _same_rows(got: torch.Tensor, want: torch.Tensor) -> bool:
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


def _same_bits(a: torch.Tensor, b: torch.Tensor) -> bool:
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if not a.is_floating_point():
        return bool(torch.equal(a, b))
    return bool(((a == b) | (torch.isnan(a) & torch.isnan(b))).all())


def _identity_like(w: Any) -> Any:
    if not isinstance(w, torch.Tensor) or w.dim() != 2:
        raise _Skip
    rows, cols = w.shape
    return torch.eye(rows, cols, dtype=w.dtype)


def _fit_scale(raw: torch.Tensor, weights: torch.Tensor) -> float | None:
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


def _scale_name(s: float, d: int, heads: Any) -> str | None:
    """Which of the usual factors s is (within 2%), named as a learner would write it."""
    candidates = {"1 (no scaling)": 1.0, "sqrt(d)": math.sqrt(d), "d": float(d)}
    if isinstance(heads, int) and heads > 1:
        candidates["sqrt(d/h)"] = math.sqrt(d / heads)
        candidates["sqrt(d * h)"] = math.sqrt(d * heads)
    for name, value in candidates.items():
        if abs(s / value - 1) < 0.02:
            return name
    return None


def _block_order(got: torch.Tensor, blocks: torch.Tensor) -> list[int] | None:
    """If got's head blocks are the reference's in another order, that order."""
    h = blocks.shape[-2]
    order = []
    for i in range(h):
        match = [j for j in range(h) if agree(got[..., i, :], blocks[..., j, :], LOOSE)]
        if len(match) != 1:
            return None
        order.append(match[0])
    return order if order != list(range(h)) and sorted(order) == list(range(h)) else None
