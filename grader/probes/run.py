"""The probes themselves. Each looks at one kind of error and returns a finding or None."""

from __future__ import annotations

from types import ModuleType

import torch

from attn_practice.grader.catalog import Problem
from attn_practice.grader.compare import agree, same_bits
from attn_practice.grader.probes.base import (
    LOOSE, SUMS_TO_ONE, ProberBase, Skip, block_order, block_order_list, expand, fit_scale,
    identity_like, magnitude, same_rows, scale_name,
)
from attn_practice.grader.probes.spec import ProbeSpec
from attn_practice.grader.remote import AttemptError, CallLog, Candidate
from attn_practice.grader.results import Finding


def probe(problem: Problem, spec: ProbeSpec, log: CallLog, candidate: Candidate,
          reference: ModuleType, failing: list[str], lang: str = "en") -> list[Finding]:
    """Run every probe that applies; the findings, most specific first."""
    prober = _Prober(spec, log, candidate, reference, failing, lang)
    families = (
        (prober.return_order,),
        (prober.inputs_modified,),
        (prober.mask_inverted, prober.mask_after_softmax, prober.mask_finite_penalty),
        (prober.softmax_axis,),
        (prober.scale,),
        (prober.causal_leak,),
        (prober.heads,),
        (prober.batch_mixing,),
        (prober.precision,),
        (prober.not_finite,),  # a symptom: said only when no probe found a cause
    )
    found: list[Finding] = []
    for family in families:  # within a family, the first (most specific) finding wins
        if family == (prober.not_finite,) and found:
            break
        for check in family:
            try:
                finding = check()
            except (AttemptError, Skip):
                finding = None
            if finding is not None:
                found.append(finding)
                break
    return found


class _Prober(ProberBase):
    """The probes; each looks at one kind of error and returns a finding or None."""

    # -- the probes ----------------------------------------------------------------------

    def inputs_modified(self) -> Finding | None:
        record = self._first(lambda r: True)
        args, kwargs = self._call_args(record)
        _, args_after, kwargs_after = self._remote("inputs-modified").with_inputs_after(
            *args, **kwargs)
        for name, before in self._bound(args, kwargs).items():
            after = self._bound(list(args_after), kwargs_after).get(name)
            if isinstance(before, torch.Tensor) and isinstance(after, torch.Tensor) and \
                    not same_bits(before, after):
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
            relative = ((got - want).abs() / (want.abs() + 1e-6)).flatten()
            errors.append((float(relative.max()), float(relative.median())))
        # every float64 call off by float32 rounding: small everywhere, yet touching most
        # values (a typical one off by ~1e-8 or more), unlike a tiny epsilon or an op order
        if errors and max(e for e, _ in errors) < 1e-5 and min(m for _, m in errors) > 1e-8:
            return self._finding("float32-in-float64", error=max(e for e, _ in errors))
        return None

    def return_order(self) -> Finding | None:
        """A tuple whose values are the reference's in another order."""
        for record in self.records:
            got, want = record.outcome.value, self._reference(record)
            if not (isinstance(got, (tuple, list)) and isinstance(want, (tuple, list))) or \
                    len(got) != len(want) or len(got) < 2 or agree(list(got), list(want), LOOSE):
                continue
            order = block_order_list(list(got), list(want))
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
            bound = self._bound(*self._call_args(record))
            if magnitude(bound) > 30 or self._finite_when_smaller(bound):
                return self._finding("overflow")
            return self._finding("nan-output")
        return None

    def _finite_when_smaller(self, bound: dict) -> bool:
        """exp's signature: the same call with every float input 100 times smaller (scores
        10^4 or more times smaller) is finite. The inputs alone can look ordinary when the
        function's own projections make the scores large (problem10: inputs up to 27.5,
        scores about 7e4)."""
        smaller = {n: v / 100 if isinstance(v, torch.Tensor) and v.is_floating_point() else v
                   for n, v in bound.items()}
        try:
            got = self._out(self._call("overflow", smaller))
        except AttemptError:
            return False
        return isinstance(got, torch.Tensor) and got.is_floating_point() and \
            bool(torch.isfinite(got).all())

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
            raise Skip
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
            raise Skip
        for record in self._unmasked():
            bound = self._bound(*self._call_args(record))
            q, k = bound.get(self.spec.q), bound.get(self.spec.k)
            if not (isinstance(q, torch.Tensor) and isinstance(k, torch.Tensor)) or \
                    not q.is_floating_point() or q.shape[-1] != k.shape[-1]:
                continue
            identities = {n: identity_like(bound[n]) for n in self.spec.identity if n in bound}
            bound = {**bound, **identities}
            weights = self._weights_of(bound)
            want = self._weights_of(bound, reference=True)
            if weights is None or want is None:
                continue
            raw = q.double() @ k.double().transpose(-2, -1)  # [..., m, n]
            if raw.shape != weights.shape or raw.shape != want.shape:
                continue
            fitted, expected = fit_scale(raw, weights), fit_scale(raw, want)
            if fitted is None or expected is None:
                continue  # weights that underflowed to 0 cannot be fitted: try another call
            if abs(fitted / expected - 1) < 0.02:
                return None
            heads = bound.get(self.spec.heads) if self.spec.heads else None
            used, should = scale_name(fitted, q.shape[-1], heads), scale_name(expected, q.shape[-1], heads)
            if used is None or should is None or used == should:
                return None
            return self._finding("scale", used=used, expected=should, fitted=fitted)
        return None

    def mask_inverted(self) -> Finding | None:
        for record in self._masked():
            bound = self._bound(*self._call_args(record))
            if magnitude(bound) > 100:
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
            if magnitude(bound) > 100:
                continue  # at ordinary magnitudes only: huge scores are the penalty's probe
            mask = bound[self.spec.mask]
            weights = self._weights_of(bound)
            allowed = expand(mask, weights)
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
            raise Skip
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
            allowed = expand(mask, weights)
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
            raise Skip
        for record in self.records:
            bound = self._bound(*self._call_args(record))
            h = bound.get(self.spec.heads)
            if not isinstance(h, int) or h < 2:
                continue
            if self.spec.w_o:
                bound = {**bound, self.spec.w_o: identity_like(bound[self.spec.w_o])}
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
            order = block_order(got.unflatten(-1, (h, d_h)), blocks)
            if order is not None:
                return self._finding("heads-permuted", order=", ".join(map(str, order)))
            if same_rows(got.reshape(-1, d_h), blocks.reshape(-1, d_h)):
                return self._finding("heads-misplaced")
            return None
        return None

