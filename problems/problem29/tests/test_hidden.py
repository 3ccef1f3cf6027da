"""Hidden checks for problem29 (multi-head latent attention). Run by the grader, never shown to learners.

mla_attention is compared with an independent oracle built in the trusted process:
the keys and values read out of the latent, then torch's
scaled_dot_product_attention(is_causal=True) per head (forbidden in attempts, fine
here). The decode step is checked against the rows of that oracle, and its cache
is measured at every step: it must be the latent itself, [b, t+1, d_c].
"""

import pytest
import torch
import torch.nn.functional as F

from grader.checks import (
    CheckFailure, check_gradients, check_inputs_unchanged, expect_close, expect_finite,
    expect_raises, expect_true, randn,
)
from grader.results import FailureKind

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]
NAMES = ["w_q", "w_dkv", "w_uk", "w_uv", "w_o"]


def _layer(b, t, d, h, d_h, d_c, dtype, seed=0, scale=1.0):
    """x [b, t, d] and the five weights, scaled like a trained layer (scores of order 1)."""
    x = randn(b, t, d, dtype=dtype, seed=seed, scale=scale)
    w_q = randn(d, h * d_h, dtype=dtype, seed=seed + 1, scale=d ** -0.5)
    w_dkv = randn(d, d_c, dtype=dtype, seed=seed + 2, scale=d ** -0.5)
    w_uk = randn(d_c, h * d_h, dtype=dtype, seed=seed + 3, scale=d_c ** -0.5)
    w_uv = randn(d_c, h * d_h, dtype=dtype, seed=seed + 4, scale=d_c ** -0.5)
    w_o = randn(h * d_h, d, dtype=dtype, seed=seed + 5, scale=(h * d_h) ** -0.5)
    return x, (w_q, w_dkv, w_uk, w_uv, w_o)


def _oracle(x, weights, h):
    """Keys and values up-projected from the latent, then torch's causal attention per head."""
    w_q, w_dkv, w_uk, w_uv, w_o = weights
    b, t, _ = x.shape
    d_h = w_q.shape[1] // h
    c = x @ w_dkv

    def heads(z):
        return z.reshape(b, t, h, d_h).transpose(1, 2)

    out = F.scaled_dot_product_attention(heads(x @ w_q), heads(c @ w_uk), heads(c @ w_uv),
                                         is_causal=True)
    return out.transpose(1, 2).reshape(b, t, h * d_h) @ w_o


def _step_parts(result, b, t, d_c, step):
    """Check mla_decode_step returned (output, latent cache [b, t, d_c]) and hand them back.

    `step` is the step number in a decoding loop, or a phrase naming the call.
    """
    where = f"step {step}" if isinstance(step, int) else step
    if not (isinstance(result, (tuple, list)) and len(result) == 2
            and isinstance(result[0], torch.Tensor)):
        raise CheckFailure(FailureKind.TYPE, (
            f"{where}: mla_decode_step must return (output, latent_cache), a pair of "
            f"tensors; got {type(result).__name__}"))
    out, cache = result
    expected = (b, t, d_c)
    if isinstance(cache, (tuple, list)):
        shapes = ", ".join(str(tuple(z.shape)) if isinstance(z, torch.Tensor)
                           else type(z).__name__ for z in cache)
        raise CheckFailure(FailureKind.TYPE, (
            f"{where}: your cache is a {type(cache).__name__} of {len(cache)} values "
            f"({shapes}), which looks like cached keys and values. MLA caches only the latent "
            f"c = x @ w_dkv: one tensor of shape [b, t, d_c] = {expected} after {t} "
            f"position(s), d_c numbers a token instead of 2 * h * d_h"))
    if not isinstance(cache, torch.Tensor):
        raise CheckFailure(FailureKind.TYPE, (
            f"{where}: the cache must be a tensor [b, t, d_c]; got {type(cache).__name__}"))
    expect_true(tuple(cache.shape) == expected, (
        f"{where}: your cache has shape {tuple(cache.shape)}; after {t} position(s) the "
        f"latent cache must be [b, t, d_c] = {expected} (one latent of d_c numbers per "
        f"position, new positions appended on dim 1)"), FailureKind.SHAPE)
    return out, cache


def test_worked_example(candidate, reference):
    """The statement's worked example: x [1, 3, 2], one head of d_h = 2, a latent of d_c = 1, through mla_attention and then three decode steps."""
    x = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [2.0, 1.0]]])
    eye = torch.eye(2)
    w_dkv = torch.tensor([[1.0], [2.0]])
    w_uk = torch.tensor([[1.0, -1.0]])
    w_uv = torch.tensor([[1.0, 2.0]])
    args = (x, eye, w_dkv, w_uk, w_uv, eye, 1)
    full = reference.mla_attention(*args)
    expect_close(candidate.mla_attention(*args), full)
    cache = None
    for i in range(3):
        out, cache = _step_parts(candidate.mla_decode_step(x[:, i:i + 1], cache, *args[1:]),
                                 1, i + 1, 1, step=i)
        expect_close(out, full[:, i:i + 1], what=f"output of step {i}")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("b,t,d,h,d_h,d_c", [
    (1, 1, 8, 2, 4, 6), (3, 5, 16, 4, 4, 8), (2, 7, 12, 3, 4, 6), (2, 6, 8, 1, 8, 3),
], ids=["b=1,t=1", "b=3,t=5,h=4", "b=2,t=7,h=3", "one head,d_c=3"])
def test_mla_attention_values(candidate, b, t, d, h, d_h, d_c, dtype):
    """mla_attention on x [b, t, d] with h heads of d_h and a latent of d_c matches causal attention over the keys and values read out of the latent (d_c differs from d_h and from h*d_h)."""
    x, weights = _layer(b, t, d, h, d_h, d_c, dtype, seed=10 * t + h)
    expect_close(candidate.mla_attention(x, *weights, h), _oracle(x, weights, h))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("t", [1, 2, 6], ids=["t=1", "t=2", "t=6"])
def test_decoding_matches_full_sequence(candidate, t, dtype):
    """Feeding x [2, t, 16] one position at a time through mla_decode_step (from latent_cache=None, each returned cache fed back in) gives the rows of mla_attention, and after step i the cache has shape [2, i+1, d_c = 8]."""
    b, d, h, d_h, d_c = 2, 16, 4, 4, 8
    x, weights = _layer(b, t, d, h, d_h, d_c, dtype, seed=20 + t)
    full = _oracle(x, weights, h)
    cache = None
    for i in range(t):
        result = candidate.mla_decode_step(x[:, i:i + 1], cache, *weights, h)
        out, cache = _step_parts(result, b, i + 1, d_c, step=i)
        expect_close(out, full[:, i:i + 1], what=f"output of step {i} (row {i} of the sequence)")


def test_cache_holds_the_latents(candidate):
    """After each step the cache holds exactly the latents c = x @ w_dkv of the positions so far, in order: [2, t, 8] for t = 1, 2, 3, 4 (float64)."""
    b, t, d, h, d_h, d_c = 2, 4, 16, 4, 4, 8
    x, weights = _layer(b, t, d, h, d_h, d_c, torch.float64, seed=31)
    latents = x @ weights[1]
    cache = None
    for i in range(t):
        result = candidate.mla_decode_step(x[:, i:i + 1], cache, *weights, h)
        _, cache = _step_parts(result, b, i + 1, d_c, step=i)
        expect_close(cache, latents[:, :i + 1], what=f"latent cache after step {i}")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_step_with_prefilled_cache(candidate, reference, dtype):
    """One mla_decode_step for position 5 of x [3, 6, 12] (3 heads of 4, d_c = 5), given the latent cache [3, 5, 5] of positions 0-4, returns that row of mla_attention and the cache [3, 6, 5]."""
    b, t, d, h, d_h, d_c = 3, 6, 12, 3, 4, 5
    x, weights = _layer(b, t, d, h, d_h, d_c, dtype, seed=41)
    cache = x[:, :t - 1] @ weights[1]
    result = candidate.mla_decode_step(x[:, t - 1:], cache, *weights, h)
    out, grown = _step_parts(result, b, t, d_c, step="the step for position 5")
    expect_close(out, _oracle(x, weights, h)[:, t - 1:], what="output")
    expect_close(grown, reference.mla_decode_step(x[:, t - 1:], cache, *weights, h)[1],
                 what="latent cache")


def test_future_tokens_do_not_leak(candidate):
    """Changing the token at position 4 of x [2, 7, 16] leaves the outputs of mla_attention at positions 0-3 unchanged."""
    b, t, d, h, d_h, d_c = 2, 7, 16, 4, 4, 8
    x, weights = _layer(b, t, d, h, d_h, d_c, torch.float64, seed=51)
    changed = x.clone()
    changed[:, 4] = randn(b, d, dtype=torch.float64, seed=52, scale=3.0)
    before = candidate.mla_attention(x, *weights, h)
    after = candidate.mla_attention(changed, *weights, h)
    for out in (before, after):
        expect_true(isinstance(out, torch.Tensor) and tuple(out.shape) == (b, t, d),
                    f"mla_attention must return a tensor of shape {(b, t, d)}", FailureKind.SHAPE)
    expect_close(after[:, :4], before[:, :4],
                 what="outputs at positions 0-3 after changing position 4")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_large_scores(candidate, dtype):
    """Inputs scaled so that the scores reach several thousand: both functions stay finite; in float64 they also match the oracle."""
    b, t, d, h, d_h, d_c = 2, 6, 16, 4, 4, 8
    x, weights = _layer(b, t, d, h, d_h, d_c, dtype, seed=61, scale=60.0)
    expected = _oracle(x, weights, h)
    out = candidate.mla_attention(x, *weights, h)
    expect_finite(out, "mla_attention output")
    cache = x[:, :t - 1] @ weights[1]
    step, _ = _step_parts(candidate.mla_decode_step(x[:, t - 1:], cache, *weights, h),
                          b, t, d_c, step="the step for the last position")
    expect_finite(step, "mla_decode_step output")
    if dtype == torch.float64:
        expect_close(out, expected, what="mla_attention output")
        expect_close(step, expected[:, t - 1:], what="mla_decode_step output")


def test_attention_rejects_indivisible_heads(candidate):
    """mla_attention with w_q [16, 12] (h*d_h = 12) and num_heads = 5: ValueError naming 12 and 5."""
    x, weights = _layer(2, 3, 16, 3, 4, 8, torch.float32, seed=71)
    with expect_raises(ValueError, mentions=["12", "5"]):
        candidate.mla_attention(x, *weights, 5)


def test_decode_rejects_indivisible_heads(candidate):
    """mla_decode_step with w_q [16, 12] and num_heads = 8: ValueError naming 12 and 8."""
    x, weights = _layer(2, 1, 16, 3, 4, 8, torch.float32, seed=72)
    with expect_raises(ValueError, mentions=["12", "8"]):
        candidate.mla_decode_step(x, None, *weights, 8)


def test_rejects_zero_heads(candidate):
    """mla_attention with num_heads = 0: ValueError naming 0 (not ZeroDivisionError)."""
    x, weights = _layer(2, 3, 16, 3, 4, 8, torch.float32, seed=73)
    with expect_raises(ValueError, mentions=["0"]):
        candidate.mla_attention(x, *weights, 0)


def test_attention_inputs_not_modified(candidate):
    """mla_attention leaves x and the five weights exactly as it got them."""
    x, weights = _layer(2, 5, 16, 4, 4, 8, torch.float64, seed=81)
    out = check_inputs_unchanged(candidate.mla_attention, x, *weights, 4,
                                 names=["x", *NAMES, "num_heads"])
    expect_close(out, _oracle(x, weights, 4))


def test_decode_inputs_not_modified(candidate, reference):
    """mla_decode_step leaves x_t, the latent cache it was given and the weights exactly as it got them."""
    b, t, d, h, d_h, d_c = 2, 4, 16, 4, 4, 8
    x, weights = _layer(b, t, d, h, d_h, d_c, torch.float64, seed=82)
    cache = x[:, :t - 1] @ weights[1]
    result = check_inputs_unchanged(candidate.mla_decode_step, x[:, t - 1:], cache, *weights, h,
                                    names=["x_t", "latent_cache", *NAMES, "num_heads"])
    out, grown = _step_parts(result, b, t, d_c, step="the step for position 3")
    expect_close((out, grown), reference.mla_decode_step(x[:, t - 1:], cache, *weights, h),
                 what=["output", "latent cache"])


def test_attention_gradients(candidate, reference):
    """Gradients of mla_attention reach x and all five weights and equal the reference's (float64)."""
    x, weights = _layer(2, 5, 16, 4, 4, 8, torch.float64, seed=91)
    check_gradients(candidate.mla_attention, reference.mla_attention, [x, *weights, 4],
                    wrt=[0, 1, 2, 3, 4, 5], names=["x", *NAMES])


def test_decode_gradients(candidate, reference):
    """Gradients of mla_decode_step's output reach x_t, the latent cache and all five weights and equal the reference's (float64, a cache of 3 positions)."""
    b, t, d, h, d_h, d_c = 2, 4, 16, 4, 4, 8
    x, weights = _layer(b, t, d, h, d_h, d_c, torch.float64, seed=92)
    cache = x[:, :t - 1] @ weights[1]
    check_gradients(candidate.mla_decode_step, reference.mla_decode_step,
                    [x[:, t - 1:], cache, *weights, h], wrt=[0, 1, 2, 3, 4, 5, 6], output=0,
                    names=["x_t", "latent_cache", *NAMES])
