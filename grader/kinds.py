"""The kinds of mistake: the vocabulary of `tags` on a problem's `[[mistakes]]`.

A kind names the idea a mistake gets wrong, whatever the problem: "softmax over
the query axis" in problem5 and in problem18 are both `softmax-axis`. `review`
groups a learner's diagnosed mistakes by kind, to suggest another problem whose
checks catch the same kind. docs/problem-format.md lists the same table (a test
keeps the two in step); `validate` refuses a tag that is not here.
"""

from __future__ import annotations

MISTAKE_KINDS: dict[str, str] = {
    "softmax-axis": "the softmax normalises over the wrong axis (queries, or a size-1 axis)",
    "scale": "scores scaled by the wrong factor, or not at all",
    "stability": "exp overflows, or a -inf row or NaN * 0 turns into NaN",
    "precision": "a dtype lost or forced: integer inputs, float32 inside a float64 call",
    "mask-convention": "which mask value means 'attend', which axis it covers, whose mask it is",
    "mask-application": "how a mask takes effect: before the softmax, excluding rather than "
                        "multiplying or penalising",
    "causal-leak": "the causal mask inverted, shifted or missing: a position sees the future",
    "off-by-one": "one position, token, block, hop or chunk too many or too few",
    "heads-layout": "how features are split into heads and merged back (order, transpose)",
    "shapes": "batch dimensions, transposes of every axis, output shapes, stacking",
    "projection": "a learned projection missing, extra, transposed or given the wrong input",
    "residual": "a residual connection missing or in the wrong place",
    "layer-norm": "layer normalisation: variance, eps, affine parameters, position",
    "kv-cache": "what a KV cache holds, along which axis it grows, how it is indexed",
    "memory": "more memory than the method allows (a full score matrix, a cache too large)",
    "recurrence": "state carried across steps (hops, chunks) updated wrongly",
    "decoding-loop": "a generation loop's start, stop and tie-breaking rules",
    "padding": "padded positions: masked as keys, zeroed as outputs, skipped in positions",
    "positions": "position ids counted from the wrong place",
    "gating": "a learned gate squashed or mixed the wrong way",
    "gradients": "gradients stopped (a detach) or poisoned (NaN in the backward pass)",
    "in-place": "a caller's tensor modified in place",
    "return-value": "the wrong thing returned, in the wrong order, or of the wrong type",
    "input-validation": "invalid arguments not rejected with a clear ValueError",
}

PROBE_PREFIX = "probe:"


def finding_kind(diagnosis: str) -> str | None:
    """The kind a probe finding names (`probe:softmax-axis` -> `softmax-axis`), if known."""
    if diagnosis.startswith(PROBE_PREFIX):
        kind = diagnosis.removeprefix(PROBE_PREFIX)
        return kind if kind in MISTAKE_KINDS else None
    return None


def check_tags(mistakes) -> tuple[list[str], bool]:
    """(what is wrong, whether the tags are simply not written yet) for a problem's mistakes.

    Untagged mistakes are a gap while none of the problem's mistakes has tags; once one
    has, every one must, each from MISTAKE_KINDS."""
    problems = [f"{m.id}: unknown tag {t!r}" for m in mistakes for t in m.tags
                if t not in MISTAKE_KINDS]
    untagged = [m.id for m in mistakes if not m.tags]
    if untagged and len(untagged) < len(mistakes):
        problems.append("no tags on " + ", ".join(untagged))
    return problems, bool(mistakes) and len(untagged) == len(mistakes)
