"""Hidden checks for problem10 (self-attention). Run by the grader, never shown to learners."""

import pytest
import torch

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, expect_true, randn,
)

DTYPES = [torch.float32, torch.float64]
CAUSAL = [False, True]


def _inputs(shape, dk, dv, dtype, seed=0, scale=1.0, w_scale=None):
    """x [*shape] (the last two are n, d_model), w_q and w_k [d_model, d_k], w_v [d_model, d_v]."""
    d = shape[-1]
    ws = w_scale or 1.0 / d ** 0.5
    x = randn(*shape, dtype=dtype, seed=seed, scale=scale)
    return (x, randn(d, dk, dtype=dtype, seed=seed + 1, scale=ws),
            randn(d, dk, dtype=dtype, seed=seed + 2, scale=ws),
            randn(d, dv, dtype=dtype, seed=seed + 3, scale=1.0 / d ** 0.5))


@pytest.mark.parametrize("causal", CAUSAL, ids=["bidirectional", "causal"])
def test_worked_example(candidate, reference, causal):
    """The statement's worked example: x [3, 2], w_q and w_k [2, 2], w_v [2, 1]."""
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    w_q = torch.tensor([[1.0, 1.0], [0.0, 1.0]])
    w_k = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    w_v = torch.tensor([[1.0], [2.0]])
    expect_close(candidate.self_attention(x, w_q, w_k, w_v, causal=causal),
                 reference.self_attention(x, w_q, w_k, w_v, causal=causal))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("causal", CAUSAL, ids=["bidirectional", "causal"])
@pytest.mark.parametrize("shape,dk,dv", [
    ((5, 8), 4, 3), ((2, 6, 8), 3, 5), ((2, 3, 4, 6), 5, 2), ((1, 4), 3, 2),
], ids=["x [5, 8]", "x [2, 6, 8]", "x [2, 3, 4, 6]", "n=1"])
def test_values(candidate, reference, shape, dk, dv, causal, dtype):
    """Self-attention of x [..., n, d_model] with d_k != d_v matches the reference, with and
    without the causal mask."""
    x, wq, wk, wv = _inputs(shape, dk, dv, dtype, seed=sum(shape) + dk)
    expect_close(candidate.self_attention(x, wq, wk, wv, causal=causal),
                 reference.self_attention(x, wq, wk, wv, causal=causal))


def test_causal_defaults_to_false(candidate, reference):
    """Called without `causal`, x [4, 6] gets bidirectional attention (causal defaults to False)."""
    x, wq, wk, wv = _inputs((4, 6), 3, 2, torch.float64, seed=31)
    expect_close(candidate.self_attention(x, wq, wk, wv),
                 reference.self_attention(x, wq, wk, wv, causal=False))


@pytest.mark.parametrize("changed", [6, 3], ids=["last token", "middle token"])
def test_causal_ignores_later_tokens(candidate, changed):
    """With causal=True, changing token t of x [2, 7, 6] leaves the outputs at every position
    before t unchanged."""
    x, wq, wk, wv = _inputs((2, 7, 6), 4, 3, torch.float64, seed=41)
    x2 = x.clone()
    x2[:, changed:, :] = randn(2, 7 - changed, 6, dtype=torch.float64, seed=42, scale=3.0)
    before = candidate.self_attention(x, wq, wk, wv, causal=True)
    after = candidate.self_attention(x2, wq, wk, wv, causal=True)
    expect_close(after[:, :changed, :], before[:, :changed, :],
                 what=f"outputs at positions 0..{changed - 1} after changing token {changed}")


def test_bidirectional_sees_later_tokens(candidate):
    """With causal=False, changing the last token of x [5, 6] changes the output at position 0."""
    x, wq, wk, wv = _inputs((5, 6), 4, 3, torch.float64, seed=51)
    x2 = x.clone()
    x2[-1] = randn(6, dtype=torch.float64, seed=52, scale=3.0)
    before = candidate.self_attention(x, wq, wk, wv, causal=False)
    after = candidate.self_attention(x2, wq, wk, wv, causal=False)
    expect_true(isinstance(before, torch.Tensor) and isinstance(after, torch.Tensor)
                and before.shape == after.shape == (5, 3),
                "expected an output of shape [5, 3] for x [5, 6] and w_v [6, 3]")
    change = float((after[0] - before[0]).abs().max())
    expect_true(change > 1e-6, (
        f"the output at position 0 did not change (max change {change:.3g}) when the last token "
        "changed: without the causal mask every position must see every token"))


def test_causal_first_position_is_its_own_value(candidate, reference):
    """With causal=True, position 0 of x [3, 5, 6] sees only itself, so its output is its own
    value x[..., 0, :] @ w_v."""
    x, wq, wk, wv = _inputs((3, 5, 6), 4, 2, torch.float64, seed=61)
    out = candidate.self_attention(x, wq, wk, wv, causal=True)
    expect_true(isinstance(out, torch.Tensor) and out.shape == (3, 5, 2),
                "expected an output of shape [3, 5, 2] for x [3, 5, 6] and w_v [6, 2]")
    expect_close(out[:, 0, :], (x @ wv)[:, 0, :], what="output at position 0")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("causal", CAUSAL, ids=["bidirectional", "causal"])
def test_large_scores_stay_finite(candidate, reference, causal, dtype):
    """Dot products of Q and K around 1e4 (x [2, 6, 8], d_k = 4) stay finite and correct."""
    x, wq, wk, wv = _inputs((2, 6, 8), 4, 3, dtype, seed=71, scale=10.0, w_scale=4.0)
    out = candidate.self_attention(x, wq, wk, wv, causal=causal)
    expect_finite(out)
    expect_close(out, reference.self_attention(x, wq, wk, wv, causal=causal))


def _very_negative(dtype, seed):
    """x [2, 6, 8] and weights (d_k = 4, d_v = 3) whose scaled scores are all shifted by -3.0e4.

    x's feature 0 is 1 everywhere and feeds only feature 0 of Q (+245) and of K (-245),
    so every score q_i . k_j gains -245^2 / sqrt(4) = -30012.5: the softmax is unchanged.
    """
    x, wq, wk, wv = _inputs((2, 6, 8), 4, 3, dtype, seed=seed)
    x[..., 0] = 1.0
    wq[:, 0], wk[:, 0] = 0.0, 0.0
    wq[0, 0], wk[0, 0] = 245.0, -245.0
    return x, wq, wk, wv


@pytest.mark.parametrize("causal", CAUSAL, ids=["bidirectional", "causal"])
def test_very_negative_scores(candidate, reference, causal):
    """Every score around -3e4 (x [2, 6, 8], d_k = 4, float64): the output equals the reference, and with causal=True no position gives any weight to a later one.

    Catches a causal mask filled with a finite value such as -1e4: here the real scores
    are lower than the fill, so the future positions win the softmax.
    """
    x, wq, wk, wv = _very_negative(torch.float64, seed=75)
    expect_close(candidate.self_attention(x, wq, wk, wv, causal=causal),
                 reference.self_attention(x, wq, wk, wv, causal=causal))


def test_very_negative_scores_causal_float32(candidate):
    """float32, every score around -3e4 (x [2, 6, 8]), causal=True: the output is finite, and changing tokens 3-5 leaves the outputs at positions 0-2 unchanged."""
    x, wq, wk, wv = _very_negative(torch.float32, seed=77)
    x2 = x.clone()
    x2[:, 3:, 1:] = randn(2, 3, 7, seed=78, scale=3.0)
    before = candidate.self_attention(x, wq, wk, wv, causal=True)
    after = candidate.self_attention(x2, wq, wk, wv, causal=True)
    expect_finite(before)
    expect_true(isinstance(after, torch.Tensor) and before.shape == after.shape == (2, 6, 3),
                "expected an output of shape [2, 6, 3] for x [2, 6, 8] and w_v [8, 3]")
    expect_close(after[:, :3, :], before[:, :3, :],
                 what="outputs at positions 0..2 after changing tokens 3..5")


def test_inputs_not_modified(candidate, reference):
    """The function leaves x, w_q, w_k and w_v exactly as it got them (causal=True)."""
    x, wq, wk, wv = _inputs((2, 5, 6), 4, 3, torch.float64, seed=81)
    out = check_inputs_unchanged(candidate.self_attention, x, wq, wk, wv, causal=True,
                                 names=["x", "w_q", "w_k", "w_v"])
    expect_close(out, reference.self_attention(x, wq, wk, wv, causal=True))


@pytest.mark.parametrize("causal", CAUSAL, ids=["bidirectional", "causal"])
def test_gradients_flow(candidate, reference, causal):
    """Gradients reach x [2, 5, 6], w_q, w_k and w_v and equal the reference's (float64)."""
    x, wq, wk, wv = _inputs((2, 5, 6), 4, 3, torch.float64, seed=91)

    def ref(*args):
        return reference.self_attention(*args, causal=causal)

    _with_causal = _Bound(candidate.self_attention, causal)
    check_gradients(_with_causal, ref, [x, wq, wk, wv], wrt=[0, 1, 2, 3],
                    names=["x", "w_q", "w_k", "w_v"])


class _Bound:
    """The candidate's function with causal= fixed, for check_gradients (positional args only)."""

    def __init__(self, fn, causal):
        self.fn, self.causal = fn, causal

    def with_grad(self, *args, wrt, cotangent, output=None):
        return self.fn.with_grad(*args, wrt=wrt, cotangent=cotangent, output=output,
                                 causal=self.causal)
