"""Hidden checks for problem12 (GPT-style causal self-attention with a KV cache)."""

import pytest
import torch

from grader.checks import (
    CheckFailure, check_gradients, check_inputs_unchanged, expect_close, expect_finite,
    expect_raises, expect_true, randn,
)
from grader.results import FailureKind

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]


def _layer(b, t, d, dtype, seed=0, scale=1.0):
    """x [b, t, d], w_qkv [d, 3d], w_o [d, d]; weights scaled like a trained layer."""
    x = randn(b, t, d, dtype=dtype, seed=seed, scale=scale)
    w_qkv = randn(d, 3 * d, dtype=dtype, seed=seed + 1, scale=d ** -0.5)
    w_o = randn(d, d, dtype=dtype, seed=seed + 2, scale=d ** -0.5)
    return x, w_qkv, w_o


def _step_parts(result, b, h, t, dh, step):
    """Check decode_step returned (output, (k, v)) and hand back its parts."""
    shape = (b, h, t, dh)
    ok = (isinstance(result, (tuple, list)) and len(result) == 2
          and isinstance(result[1], (tuple, list)) and len(result[1]) == 2
          and all(isinstance(z, torch.Tensor) for z in (result[0], *result[1])))
    if not ok:
        raise CheckFailure(FailureKind.TYPE, (
            f"step {step}: decode_step must return (output, (k, v)), a tensor and a pair of "
            f"tensors; got {type(result).__name__}"))
    out, (k, v) = result
    for name, z in (("k", k), ("v", v)):
        expect_true(tuple(z.shape) == shape, (
            f"step {step}: the cached {name} has shape {tuple(z.shape)}; after {t} position(s) "
            f"it must be [b, num_heads, t, d/num_heads] = {shape}"), FailureKind.SHAPE)
    return out, (k, v)


def _reference_cache(reference, x, w_qkv, w_o, h):
    cache = None
    for i in range(x.shape[1]):
        _, cache = reference.decode_step(x[:, i:i + 1], cache, w_qkv, w_o, h)
    return cache


def test_worked_example(candidate, reference):
    """The statement's worked example: x [1, 3, 2], w_qkv = [I | I | I], w_o = I, one head."""
    x = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]])
    eye = torch.eye(2)
    w_qkv = torch.cat([eye, eye, eye], dim=1)
    expect_close(candidate.causal_self_attention(x, w_qkv, eye, 1),
                 reference.causal_self_attention(x, w_qkv, eye, 1))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("b,t,d,h", [(1, 1, 8, 2), (3, 5, 8, 2), (2, 7, 12, 3), (2, 6, 8, 8)],
                         ids=["b=1,t=1", "b=3,t=5,h=2", "b=2,t=7,h=3", "b=2,t=6,h=8"])
def test_causal_self_attention_values(candidate, reference, b, t, d, h, dtype):
    """causal_self_attention on x [b, t, d] with num_heads heads matches the reference."""
    x, w_qkv, w_o = _layer(b, t, d, dtype, seed=10 * t + h)
    expect_close(candidate.causal_self_attention(x, w_qkv, w_o, h),
                 reference.causal_self_attention(x, w_qkv, w_o, h))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("t", [1, 2, 7], ids=["t=1", "t=2", "t=7"])
def test_decoding_matches_full_sequence(candidate, reference, t, dtype):
    """Feeding x [2, t, 8] one position at a time through decode_step (starting from cache=None, each returned cache fed back in) gives the rows of causal_self_attention on the whole sequence."""
    b, d, h = 2, 8, 2
    x, w_qkv, w_o = _layer(b, t, d, dtype, seed=20 + t)
    full = reference.causal_self_attention(x, w_qkv, w_o, h)
    cache = None
    for i in range(t):
        result = candidate.decode_step(x[:, i:i + 1], cache, w_qkv, w_o, h)
        out, cache = _step_parts(result, b, h, i + 1, d // h, step=i)
        expect_close(out, full[:, i:i + 1], what=f"output of step {i} (row {i} of the sequence)")


def test_cache_grows_along_time(candidate, reference):
    """From cache=None, each decode_step adds exactly one position on the time axis: k and v are [2, 4, t, 3] after t steps and hold the keys and values of the positions so far."""
    b, t, d, h = 2, 3, 12, 4
    x, w_qkv, w_o = _layer(b, t, d, torch.float64, seed=31)
    cache = ref_cache = None
    for i in range(t):
        result = candidate.decode_step(x[:, i:i + 1], cache, w_qkv, w_o, h)
        _, cache = _step_parts(result, b, h, i + 1, d // h, step=i)
        _, ref_cache = reference.decode_step(x[:, i:i + 1], ref_cache, w_qkv, w_o, h)
        expect_close(cache, ref_cache, what=[f"cached k after step {i}", f"cached v after step {i}"])


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_step_with_prefilled_cache(candidate, reference, dtype):
    """One decode_step for the last position (index 5) of x [3, 6, 8] with num_heads = 2, given the cache of positions 0-4, returns that position's output and the cache of all 6 positions."""
    b, t, d, h = 3, 6, 8, 2
    x, w_qkv, w_o = _layer(b, t, d, dtype, seed=41)
    cache = _reference_cache(reference, x[:, :t - 1], w_qkv, w_o, h)
    x_t = x[:, t - 1:]
    expect_close(candidate.decode_step(x_t, cache, w_qkv, w_o, h),
                 reference.decode_step(x_t, cache, w_qkv, w_o, h),
                 what=["output", "cache"])


def test_future_tokens_do_not_leak(candidate):
    """Changing the token at position 4 of x [2, 7, 8] leaves the outputs at positions 0-3 of causal_self_attention unchanged."""
    b, t, d, h = 2, 7, 8, 2
    x, w_qkv, w_o = _layer(b, t, d, torch.float64, seed=51)
    changed = x.clone()
    changed[:, 4] = randn(b, d, dtype=torch.float64, seed=52, scale=3.0)
    before = candidate.causal_self_attention(x, w_qkv, w_o, h)
    after = candidate.causal_self_attention(changed, w_qkv, w_o, h)
    for out in (before, after):
        expect_true(isinstance(out, torch.Tensor) and tuple(out.shape) == (b, t, d),
                    f"causal_self_attention must return a tensor of shape {(b, t, d)}",
                    FailureKind.SHAPE)
    expect_close(after[:, :4], before[:, :4],
                 what="outputs at positions 0-3 after changing position 4")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_large_scores_stay_finite(candidate, reference, dtype):
    """Inputs scaled so that the scores reach about 1e4: outputs of both functions stay finite and correct."""
    b, t, d, h = 2, 6, 8, 2
    x, w_qkv, w_o = _layer(b, t, d, dtype, seed=61, scale=80.0)
    out = candidate.causal_self_attention(x, w_qkv, w_o, h)
    expect_finite(out)
    expect_close(out, reference.causal_self_attention(x, w_qkv, w_o, h))
    cache = _reference_cache(reference, x[:, :t - 1], w_qkv, w_o, h)
    result = candidate.decode_step(x[:, t - 1:], cache, w_qkv, w_o, h)
    step, _ = _step_parts(result, b, h, t, d // h, step=t - 1)
    expect_finite(step, "decode_step output")
    expect_close(step, out[:, t - 1:], what="decode_step output")


def _very_negative(b, t, d, h, dtype, seed):
    """x [b, t, d], w_qkv, w_o whose scaled scores all sit around -3e4, in every head.

    x's feature 0 is 1 everywhere and w_qkv row 0 feeds it only into feature 0 of each
    head's slice of q (+245) and of k (-245), so every score of every head gains
    -245^2 / sqrt(d/h): the softmax, and so the output, is unchanged.
    """
    x, w_qkv, w_o = _layer(b, t, d, dtype, seed=seed)
    x[..., 0] = 1.0
    q_starts = list(range(0, d, d // h))
    k_starts = [d + j for j in q_starts]
    w_qkv[:, q_starts + k_starts] = 0.0
    w_qkv[0, :2 * d] = 0.0
    w_qkv[0, q_starts], w_qkv[0, k_starts] = 245.0, -245.0
    return x, w_qkv, w_o


def test_very_negative_scores(candidate, reference):
    """Every score of every head around -3e4 (float64, x [2, 6, 8], 2 heads): causal_self_attention equals the reference, and decode_step for the last position, given the cache of the others, equals its last row.

    Catches a causal mask filled with a finite value such as -1e4: here the real scores
    are lower than the fill, so the future positions win the softmax.
    """
    b, t, d, h = 2, 6, 8, 2
    x, w_qkv, w_o = _very_negative(b, t, d, h, torch.float64, seed=65)
    full = reference.causal_self_attention(x, w_qkv, w_o, h)
    expect_close(candidate.causal_self_attention(x, w_qkv, w_o, h), full)
    cache = _reference_cache(reference, x[:, :t - 1], w_qkv, w_o, h)
    result = candidate.decode_step(x[:, t - 1:], cache, w_qkv, w_o, h)
    step, _ = _step_parts(result, b, h, t, d // h, step=t - 1)
    expect_close(step, full[:, t - 1:], what="decode_step output")


def test_very_negative_scores_float32_no_leak(candidate):
    """float32, every score around -3e4 (x [2, 7, 8], 2 heads): the output of causal_self_attention is finite, and changing position 4 leaves positions 0-3 unchanged."""
    b, t, d, h = 2, 7, 8, 2
    x, w_qkv, w_o = _very_negative(b, t, d, h, torch.float32, seed=67)
    changed = x.clone()
    changed[:, 4, 1:] = randn(b, d - 1, seed=68, scale=3.0)
    before = candidate.causal_self_attention(x, w_qkv, w_o, h)
    after = candidate.causal_self_attention(changed, w_qkv, w_o, h)
    expect_finite(before)
    expect_true(isinstance(after, torch.Tensor) and tuple(after.shape) == tuple(before.shape)
                == (b, t, d), f"causal_self_attention must return a tensor of shape {(b, t, d)}",
                FailureKind.SHAPE)
    expect_close(after[:, :4], before[:, :4],
                 what="outputs at positions 0-3 after changing position 4")


def test_causal_rejects_indivisible_heads(candidate):
    """causal_self_attention with d = 10 and num_heads = 4: ValueError naming 10 and 4."""
    x, w_qkv, w_o = _layer(2, 3, 10, torch.float32, seed=71)
    with expect_raises(ValueError, mentions=["10", "4"]):
        candidate.causal_self_attention(x, w_qkv, w_o, 4)


def test_decode_rejects_indivisible_heads(candidate):
    """decode_step with d = 6 and num_heads = 4: ValueError naming 6 and 4."""
    x, w_qkv, w_o = _layer(2, 1, 6, torch.float32, seed=72)
    with expect_raises(ValueError, mentions=["6", "4"]):
        candidate.decode_step(x, None, w_qkv, w_o, 4)


def test_rejects_zero_heads(candidate):
    """causal_self_attention with num_heads = 0: ValueError naming 0 (not ZeroDivisionError)."""
    x, w_qkv, w_o = _layer(2, 3, 8, torch.float32, seed=73)
    with expect_raises(ValueError, mentions=["0"]):
        candidate.causal_self_attention(x, w_qkv, w_o, 0)


@pytest.mark.parametrize("fn,h", [("decode_step", 0), ("causal_self_attention", -2),
                                  ("decode_step", -2)],
                         ids=["decode-0heads", "causal--2heads", "decode--2heads"])
def test_rejects_fewer_than_one_head(candidate, fn, h):
    """num_heads = 0, or -2 (which divides d = 8), in either function: ValueError naming the number of heads."""
    x, w_qkv, w_o = _layer(2, 3 if fn == "causal_self_attention" else 1, 8, torch.float32,
                           seed=74)
    with expect_raises(ValueError, mentions=[str(h)]):
        if fn == "causal_self_attention":
            candidate.causal_self_attention(x, w_qkv, w_o, h)
        else:
            candidate.decode_step(x, None, w_qkv, w_o, h)


def test_causal_inputs_not_modified(candidate, reference):
    """causal_self_attention leaves x, w_qkv and w_o exactly as it got them."""
    x, w_qkv, w_o = _layer(2, 5, 8, torch.float64, seed=81)
    out = check_inputs_unchanged(candidate.causal_self_attention, x, w_qkv, w_o, 2,
                                 names=["x", "w_qkv", "w_o", "num_heads"])
    expect_close(out, reference.causal_self_attention(x, w_qkv, w_o, 2))


def test_decode_inputs_not_modified(candidate, reference):
    """decode_step leaves x_t, the cache it was given, w_qkv and w_o exactly as it got them."""
    b, t, d, h = 2, 4, 8, 2
    x, w_qkv, w_o = _layer(b, t, d, torch.float64, seed=82)
    cache = _reference_cache(reference, x[:, :t - 1], w_qkv, w_o, h)
    x_t = x[:, t - 1:]
    out = check_inputs_unchanged(candidate.decode_step, x_t, cache, w_qkv, w_o, h,
                                 names=["x_t", "cache", "w_qkv", "w_o", "num_heads"])
    _, after, _ = candidate.decode_step.with_inputs_after(x_t, cache, w_qkv, w_o, h)
    given = after[1] if len(after) > 1 else None
    expect_true(isinstance(given, (tuple, list)) and len(given) == 2 and all(
        isinstance(a, torch.Tensor) and a.shape == c.shape and torch.equal(a, c)
        for a, c in zip(given, cache)),
        "your decode_step changed the cache it was given in place; build the grown cache "
        "with torch.cat into new tensors", FailureKind.MODIFIED_INPUT)
    expect_close(out, reference.decode_step(x_t, cache, w_qkv, w_o, h), what=["output", "cache"])


def test_causal_gradients(candidate, reference):
    """Gradients of causal_self_attention reach x, w_qkv and w_o and equal the reference's (float64)."""
    x, w_qkv, w_o = _layer(2, 5, 8, torch.float64, seed=91)
    check_gradients(candidate.causal_self_attention, reference.causal_self_attention,
                    [x, w_qkv, w_o, 2], wrt=[0, 1, 2], names=["x", "w_qkv", "w_o"])


def test_decode_gradients(candidate, reference):
    """Gradients of decode_step's output reach x_t, w_qkv and w_o and equal the reference's (float64, cache of 3 positions)."""
    b, t, d, h = 2, 4, 8, 2
    x, w_qkv, w_o = _layer(b, t, d, torch.float64, seed=92)
    cache = _reference_cache(reference, x[:, :t - 1], w_qkv, w_o, h)
    check_gradients(candidate.decode_step, reference.decode_step,
                    [x[:, t - 1:], cache, w_qkv, w_o, h], wrt=[0, 2, 3], output=0,
                    names=["x_t", "w_qkv", "w_o"])
