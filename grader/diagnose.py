"""Name the known mistake an attempt behaves like, by replaying its calls in the trusted process.

For every call the hidden tests forwarded, the reference and each known mistake
run on the same inputs. A mistake *explains* a failing check when it agrees with
the attempt on every call of that check, is itself wrong there, and (where distances
can be measured) the attempt is much nearer it than the reference (`_closer`). The
diagnosis is the mistake that explains the most failing checks (ties: the one that
agrees with the attempt on the most calls overall), if it explains more than half of
them: a mistake that agrees with the attempt on a few checks only may share a symptom,
not the cause (problem9: exp without the max shares "-1e4 fill"'s all-zero rows when
every score underflows, and fails the rest with NaN), and then the probes speak instead.
Raised errors agree when their type and first message line are the same.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import torch

from attn_practice.grader.catalog import Problem, Tolerance
from attn_practice.grader.compare import agree, clone, gap, tolerance_for
from attn_practice.grader.loading import load_trusted_module
from attn_practice.grader.remote import CallLog, CallRecord
from attn_practice.grader.results import CheckResult, Diagnosis

LOOSE = Tolerance(rtol=1e-3, atol=1e-4)  # "behaves the same", across float32 op orders


@dataclass
class Outcome:
    raised: str | None = None  # exception class name
    message: str = ""  # first line of the exception's message
    value: Any = None
    grads: Any = None
    args_after: Any = None


def diagnose(problem: Problem, log: CallLog, checks: list[CheckResult],
             reference: ModuleType, lang: str = "en") -> tuple[Diagnosis | None, dict[str, str]]:
    failing = [c.name for c in checks if c.status.value != "pass"]
    if not failing or not problem.mistakes:
        return None, {}
    records = [r for r in log.records if _comparable(r)]
    attempt = {id(r): _attempt_outcome(r) for r in records}
    ref = {id(r): replay(reference, r) for r in records}
    ranked = []
    per_check: dict[str, list[int]] = {}
    for index, mistake in enumerate(problem.mistakes):
        module = load_trusted_module(mistake.path, "known mistake")
        outcomes = {id(r): replay(module, r) for r in records}
        agreeing = sum(_same(attempt[id(r)], outcomes[id(r)], LOOSE) for r in records)
        explained = []
        for test in failing:
            recs = [r for r in records if r.test == test]
            wrong = [r for r in recs if not _same(outcomes[id(r)], ref[id(r)], _strict(problem, r))]
            if recs and wrong and all(_same(attempt[id(r)], outcomes[id(r)], LOOSE) for r in recs) \
                    and all(_closer(attempt[id(r)], outcomes[id(r)], ref[id(r)]) for r in wrong):
                explained.append(test)
                per_check.setdefault(test, []).append(index)
        ranked.append((len(explained), agreeing / max(1, len(records)), -index, mistake))
    ranked.sort(key=lambda t: t[:3], reverse=True)
    order = {m.id: pos for pos, (*_, m) in enumerate(ranked)}
    check_diag = {
        test: min((problem.mistakes[i] for i in idxs), key=lambda m: order[m.id]).id
        for test, idxs in per_check.items()
    }
    best_explained, best_agreement, _, best = ranked[0]
    if best_explained * 2 <= len(failing):  # most of what failed, or nothing is named
        return None, check_diag  # explains too little of what went wrong to name it
    return Diagnosis(
        mistake_id=best.id, title=best.title.get(lang) or best.title["en"],
        explanation=best.diagnosis.get(lang) or best.diagnosis["en"],
        agreement=round(best_agreement, 4), matched=best_explained, compared=len(failing),
    ), check_diag


def _comparable(record: CallRecord) -> bool:
    if record.outcome is None or record.measured:  # memory measurements are not replayed:
        return False  # their inputs are huge and their verdict is about memory, not values
    return record.outcome.ok or (record.outcome.error is not None
                                 and record.outcome.error.kind.comparable)


def _attempt_outcome(record: CallRecord) -> Outcome:
    out = record.outcome
    assert out is not None
    if not out.ok:
        error = out.error
        return Outcome(raised=error.type if error else "Exception",
                       message=_first_line(error.message if error else ""))
    after = out.args_after.get("args") if isinstance(out.args_after, dict) else None
    return Outcome(value=out.value, grads=out.grads, args_after=after)


def replay(module: ModuleType, record: CallRecord) -> Outcome:
    """Run one recorded call on a trusted implementation, the way the sandbox ran it."""
    fn = getattr(module, record.function, None)
    if not callable(fn):
        return Outcome(raised="AttributeError")
    args = [clone(a) for a in record.args]  # each replay gets its own copy, nested ones too
    kwargs = {k: clone(v) for k, v in record.kwargs.items()}
    wrt: list[torch.Tensor] = []
    if record.grad:
        for key in record.grad["wrt"]:
            container = args if isinstance(key, int) else kwargs
            container[key] = container[key].detach().clone().requires_grad_(True)
            wrt.append(container[key])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a mistake's warnings are not the learner's
            value = fn(*args, **kwargs)
        grads = None
        if record.grad:
            main = value if record.grad.get("output") is None else value[record.grad["output"]]
            if not getattr(main, "requires_grad", False):
                raise RuntimeError("output does not require grad")
            cot = record.grad["cotangent"].to(main.dtype)
            loss = (main * cot).sum()  # scalar VJP, as in the sandbox
            grads = [None if g is None else g.detach()
                     for g in torch.autograd.grad(loss, wrt, allow_unused=True)]
    except Exception as err:  # noqa: BLE001 - a mistake that raises is an outcome too
        return Outcome(raised=type(err).__name__, message=_first_line(str(err)))
    value = _detach(value)
    return Outcome(value=value, grads=grads, args_after=args if record.echo else None)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _detach(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (list, tuple)):
        return type(value)(_detach(v) for v in value)
    return value


def _same(a: Outcome, b: Outcome, tol: Tolerance) -> bool:
    if a.raised or b.raised:
        return a.raised == b.raised and a.message == b.message
    if not agree(a.value, b.value, tol):
        return False
    if a.grads is not None and b.grads is not None and not agree(a.grads, b.grads, tol):
        return False
    if (a.grads is None) != (b.grads is None):
        return False
    if a.args_after is not None and b.args_after is not None:
        return agree(list(a.args_after), list(b.args_after), tol)
    return True


def _closer(attempt: Outcome, mistake: Outcome, ref: Outcome) -> bool:
    """Whether the attempt is much nearer the mistake than the reference (a tenth of the
    distance), where distances can be measured. Loose agreement alone lets a mistake whose
    effect is small (eps added to the std rather than the variance) stand for any attempt
    that is a little off the same way (another eps, no eps)."""
    if attempt.raised or mistake.raised or ref.raised:
        return True
    to_mistake = gap((attempt.value, attempt.grads), (mistake.value, mistake.grads))
    to_ref = gap((attempt.value, attempt.grads), (ref.value, ref.grads))
    if to_mistake is None or to_ref is None:
        return True
    return to_mistake <= 0.1 * to_ref


def _strict(problem: Problem, record: CallRecord) -> Tolerance:
    dtypes = [a.dtype for a in record.args if isinstance(a, torch.Tensor) and a.is_floating_point()]
    dtype = torch.float64 if torch.float64 in dtypes else (dtypes[0] if dtypes else torch.float32)
    return tolerance_for(dtype, problem.tolerances)
