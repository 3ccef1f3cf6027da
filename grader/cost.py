"""What an attempt costs against the reference: time and peak memory on a larger input that the
problem declares (`[cost]` in problem.toml), both measured in a sandbox under the same
conditions (a fresh process each, one thread, the same limits)."""

from __future__ import annotations

from typing import Any

import torch

from attn_practice.grader.catalog import Problem
from attn_practice.grader.probes.spec import CostSpec
from attn_practice.grader.remote import AttemptError, CallLog, Candidate
from attn_practice.grader.results import Performance

SEED = 20260


class NotMeasured(Exception):
    """The attempt failed on the larger input (a time or memory limit, an error): why."""


def measure(problem: Problem, spec: CostSpec, attempt_sandbox, reference_sandbox,
            log: CallLog) -> Performance | None:
    """Time (best of two calls) and peak memory (a fresh process) of attempt and reference."""
    args, kwargs = make_inputs(spec)
    figures = []
    for sandbox in (attempt_sandbox, reference_sandbox):
        candidate = Candidate(sandbox, log)
        log.current_test = "cost"
        try:
            sandbox.close()  # a fresh process: nothing cached, memory measured from its start
            first = candidate._call(spec.function, args, kwargs, measure=True)
            again = candidate._call(spec.function, args, kwargs)
        except AttemptError as err:
            if sandbox is attempt_sandbox:
                message = err.error.message.strip().splitlines()
                raise NotMeasured(f"{err.error.type}: {message[0] if message else ''}".rstrip(": "))
            return None
        figures.append((min(first.seconds, again.seconds), int(first.peak_memory_bytes or 0)))
    (t_attempt, m_attempt), (t_ref, m_ref) = figures
    time_ratio = t_attempt / max(t_ref, 1e-6)
    memory_ratio = (m_attempt + 2**20) / (m_ref + 2**20)  # +1 MiB: no ratio of two near-zeros
    return Performance(
        time_ratio=round(time_ratio, 2), memory_ratio=round(memory_ratio, 2),
        input=describe_inputs(args, kwargs),
        attempt_seconds=round(t_attempt, 5), reference_seconds=round(t_ref, 5),
        attempt_peak_bytes=m_attempt, reference_peak_bytes=m_ref,
        verdict=verdict(time_ratio, memory_ratio))


def make_inputs(spec: CostSpec) -> tuple[list[Any], dict[str, Any]]:
    gen = torch.Generator().manual_seed(SEED)
    return [_make(a, gen) for a in spec.args], {k: _make(v, gen) for k, v in spec.kwargs.items()}


def _make(value: Any, gen: torch.Generator) -> Any:
    if not isinstance(value, dict):
        return value
    dtype = getattr(torch, value.get("dtype", "float32"))
    if "randn" in value:
        return torch.randn(*value["randn"], generator=gen, dtype=torch.float64).to(dtype)
    if "tril" in value:
        n = value["tril"]
        return torch.ones(n, n, dtype=torch.bool).tril()
    if "ones" in value:
        return torch.ones(*value["ones"], dtype=getattr(torch, value.get("dtype", "bool")))
    if "full" in value:  # e.g. lengths or block ids: int64 unless dtype says otherwise
        return torch.full(value["full"], value["value"],
                          dtype=getattr(torch, value.get("dtype", "int64")))
    return torch.arange(value["arange"])


def describe_inputs(args: list[Any], kwargs: dict[str, Any]) -> str:
    def one(v: Any) -> str:
        if isinstance(v, torch.Tensor):
            return f"{str(v.dtype).removeprefix('torch.')}[{', '.join(map(str, v.shape))}]"
        return repr(v)
    return ", ".join([one(a) for a in args] + [f"{k}={one(v)}" for k, v in kwargs.items()])


def verdict(time_ratio: float, memory_ratio: float) -> str:
    """A plain sentence; ratios within 2x of the reference are 'about the same'."""
    def part(ratio: float, what: str) -> str:
        if ratio >= 2:
            return f"about {ratio:.0f}x the reference's {what}" if ratio >= 3 else \
                f"about {ratio:.1f}x the reference's {what}"
        if ratio <= 0.5:
            return f"less {what} than the reference ({ratio:.2f}x)"
        return f"about the reference's {what}"
    sentence = f"{part(time_ratio, 'time')}, {part(memory_ratio, 'peak memory')}"
    if time_ratio >= 10:
        sentence += ": a Python loop over positions or heads? Batched tensor operations do it " \
                    "in one call"
    elif memory_ratio >= 4:
        sentence += ": an intermediate tensor larger than it needs to be (a score matrix " \
                    "kept alive, a copy per step)"
    return sentence
