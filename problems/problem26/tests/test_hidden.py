"""Hidden checks for problem26 (attention backward). Run by the grader, never shown to learners.

The expected gradients come from torch.autograd, run here in the trusted process
on out = softmax(q @ k^T / sqrt(d)) @ v with the same grad_out as the cotangent.
Autograd is forbidden in attempts (so is anything else that differentiates for
them), but not in these tests. The large-score check runs in float64, where the
scores reach about 2e3: exp without the maximum subtracted overflows there, and a
softmax or log-sum-exp done in float32 is off by about 1e-7 * |S|.
"""

import math

import pytest
import torch

from grader.checks import (
    check_inputs_unchanged, expect_close, expect_finite, expect_true, randn,
)

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]
WHAT = ["dq", "dk", "dv"]


def autograd_backward(q, k, v, grad_out):
    """(dq, dk, dv) by autograd through the forward pass, in the inputs' dtype."""
    q, k, v = (t.detach().clone().requires_grad_(True) for t in (q, k, v))
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])   # [..., m, n]
    out = torch.softmax(scores, dim=-1) @ v                      # [..., m, d_v]
    return torch.autograd.grad((out * grad_out).sum(), [q, k, v])


def _inputs(lead, m, n, d, dv, dtype, seed=0, scale=1.0):
    q = randn(*lead, m, d, dtype=dtype, seed=seed, scale=scale)
    k = randn(*lead, n, d, dtype=dtype, seed=seed + 1, scale=scale)
    v = randn(*lead, n, dv, dtype=dtype, seed=seed + 2)
    grad_out = randn(*lead, m, dv, dtype=dtype, seed=seed + 3)
    return q, k, v, grad_out


def _large_score_inputs(dtype, seed):
    """Scores around +-1e3 whose softmax is still spread over several keys.

    Every key is one large shared vector plus a small private one, so each row of
    scores is a large offset (q_i . k0 / sqrt(d), hundreds to thousands) plus O(1)
    differences between the keys.
    """
    m, n, d, dv = 6, 7, 8, 5
    q = randn(m, d, dtype=torch.float64, seed=seed, scale=30.0)
    k0 = randn(1, d, dtype=torch.float64, seed=seed + 1, scale=60.0)
    k = k0 + randn(n, d, dtype=torch.float64, seed=seed + 2, scale=0.05)
    v = randn(n, dv, dtype=torch.float64, seed=seed + 3)
    grad_out = randn(m, dv, dtype=torch.float64, seed=seed + 4)
    return tuple(t.to(dtype) for t in (q, k, v, grad_out))


def _expect_triple(result):
    expect_true(isinstance(result, (tuple, list)) and len(result) == 3,
                "expected a tuple of three tensors (dq, dk, dv)")


def test_worked_example(candidate):
    """The statement's worked example: one query [1, 2] over two keys, d = 2, d_v = 2."""
    q = torch.tensor([[1.0, 0.0]])
    k = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    v = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    grad_out = torch.tensor([[1.0, 0.0]])
    expect_close(candidate.attention_backward(q, k, v, grad_out),
                 autograd_backward(q, k, v, grad_out), what=WHAT)


SHAPES = {"m<n": (3, 7, 8, 4), "m>n": (6, 4, 8, 5), "m=n": (5, 5, 6, 6), "n=1": (4, 1, 8, 3),
          "m=1": (1, 6, 16, 2)}


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape", list(SHAPES), ids=list(SHAPES))
def test_matches_autograd(candidate, shape, dtype):
    """q [m, d], k [n, d], v [n, d_v] and grad_out [m, d_v] give dq [m, d], dk [n, d], dv [n, d_v] equal to
    autograd's, for m < n, m > n, m = n, one key (n = 1) and one query (m = 1)."""
    m, n, d, dv = SHAPES[shape]
    args = _inputs((), m, n, d, dv, dtype, seed=10 * m + n)
    expect_close(candidate.attention_backward(*args), autograd_backward(*args), what=WHAT)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("lead", [(2, 3), (1,)], ids=["[2,3,...]", "batch-of-one"])
def test_leading_batch_dimensions(candidate, lead, dtype):
    """Leading batch dimensions ([2, 3] and a batch of one): q [..., 4, 8], k [..., 6, 8], v [..., 6, 4] and
    grad_out [..., 4, 4] give gradients with the same leading dimensions, each slice independent."""
    args = _inputs(lead, 4, 6, 8, 4, dtype, seed=20 + len(lead))
    expect_close(candidate.attention_backward(*args), autograd_backward(*args), what=WHAT)


def test_peaked_softmax(candidate):
    """Scores of a few tens (q and k scaled by 3, d = 8, float64): some rows are nearly one-hot, and the
    gradients still equal autograd's."""
    args = _inputs((2,), 4, 6, 8, 3, torch.float64, seed=30, scale=3.0)
    expect_close(candidate.attention_backward(*args), autograd_backward(*args), what=WHAT)


def test_large_scores_float64(candidate):
    """Scores from about -2000 to +2000 in float64 (a large offset per row plus O(1) differences between the
    7 keys): no overflow, and dq, dk, dv equal autograd's to float64 precision."""
    args = _large_score_inputs(torch.float64, seed=41)
    expect_close(candidate.attention_backward(*args), autograd_backward(*args), what=WHAT)


def test_large_scores_float32_finite(candidate):
    """Scores from about -1800 to +300 in float32 (built the same way): dq, dk and dv stay finite (no NaN or
    inf)."""
    args = _large_score_inputs(torch.float32, seed=40)
    result = candidate.attention_backward(*args)
    _expect_triple(result)
    for name, grad in zip(WHAT, result):
        expect_finite(grad, name)


def test_shifting_every_key_changes_no_gradient(candidate):
    """Adding the same vector to every key adds a constant to each row of scores, which the softmax ignores:
    dq, dk and dv stay those of the unshifted keys (dq because each row of dS sums to zero; float64, m = 4,
    n = 6)."""
    q, k, v, grad_out = _inputs((), 4, 6, 8, 3, torch.float64, seed=50)
    shift = randn(1, 8, dtype=torch.float64, seed=51, scale=2.0)
    expect_close(candidate.attention_backward(q, k + shift, v, grad_out),
                 autograd_backward(q, k, v, grad_out),
                 what=[f"{name} with every key shifted" for name in WHAT])


def test_inputs_not_modified(candidate):
    """The function leaves q, k, v and grad_out exactly as it got them."""
    args = _inputs((2,), 3, 5, 8, 4, torch.float64, seed=60)
    out = check_inputs_unchanged(candidate.attention_backward, *args,
                                 names=["q", "k", "v", "grad_out"])
    expect_close(out, autograd_backward(*args), what=WHAT)
