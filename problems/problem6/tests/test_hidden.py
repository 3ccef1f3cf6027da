"""Hidden checks for problem6 (shared attention). Run by the grader, never shown to learners."""

import pytest
import torch

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, randn,
)

DTYPES = [torch.float32, torch.float64]


def _inputs(m, n, d, dk, dv, dtype, seed=0, scale=1.0, w_scale=None):
    """query [m, d] (or [d] when m is 0), keys [n, d], values [n, d_v], weight [d, d_k]."""
    q = randn(m, d, dtype=dtype, seed=seed, scale=scale) if m else randn(d, dtype=dtype, seed=seed)
    k = randn(n, d, dtype=dtype, seed=seed + 1, scale=scale)
    v = randn(n, dv, dtype=dtype, seed=seed + 2)
    w = randn(d, dk, dtype=dtype, seed=seed + 3, scale=w_scale or 1.0 / d ** 0.5)
    return q, k, v, w


def test_worked_example(candidate, reference):
    """The statement's worked example: query [3], keys [3, 3], values [3, 2], weight [3, 2]."""
    q = torch.tensor([1.0, 0.0, -1.0])
    k = torch.tensor([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0], [2.0, 0.0, 1.0]])
    v = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    w = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]])
    expect_close(candidate.shared_attention(q, k, v, w), reference.shared_attention(q, k, v, w))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("m,n,d,dk,dv", [
    (4, 6, 8, 3, 5), (6, 3, 8, 5, 2), (1, 5, 4, 6, 4), (3, 1, 4, 2, 3), (3, 5, 4, 4, 2),
], ids=["m<n,d_k<d", "m>n", "m=1,d_k>d", "n=1", "d_k=d"])
def test_batch_of_queries(candidate, reference, m, n, d, dk, dv, dtype):
    """A batch of queries [m, d] with weight [d, d_k]: each output row [d_v] is that query's
    attention over the projected keys."""
    q, k, v, w = _inputs(m, n, d, dk, dv, dtype, seed=10 * m + n + dk)
    expect_close(candidate.shared_attention(q, k, v, w), reference.shared_attention(q, k, v, w))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_single_query_vector(candidate, reference, dtype):
    """One query vector [6] (as in the guide), keys [7, 6], weight [6, 3]: one output [d_v]."""
    q, k, v, w = _inputs(0, 7, 6, 3, 4, dtype, seed=3)
    expect_close(candidate.shared_attention(q, k, v, w), reference.shared_attention(q, k, v, w))


@pytest.mark.parametrize("n,dv", [(4, 1), (1, 3)], ids=["d_v=1", "n=1"])
def test_single_query_small_sizes(candidate, reference, n, dv):
    """One query vector [6] with weight [6, 3] and values of one feature (keys [4, 6], values [4, 1]) or a single key (keys [1, 6], values [1, 3]): the output is [d_v], still a vector, never a 0-d scalar."""
    q, k, v, w = _inputs(0, n, 6, 3, dv, torch.float64, seed=25 + n)
    expect_close(candidate.shared_attention(q, k, v, w), reference.shared_attention(q, k, v, w))


def test_rotating_shared_space(candidate, reference):
    """Rotating the shared space (weight @ R with R orthogonal) leaves the scores and the
    output unchanged."""
    q, k, v, w = _inputs(3, 5, 6, 4, 3, torch.float64, seed=21)
    r, _ = torch.linalg.qr(randn(4, 4, dtype=torch.float64, seed=22))
    expected = reference.shared_attention(q, k, v, w)
    expect_close(candidate.shared_attention(q, k, v, w), expected, what="output with weight")
    expect_close(candidate.shared_attention(q, k, v, w @ r), expected,
                 what="output with weight @ R")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_large_scores_stay_finite(candidate, reference, dtype):
    """Projected dot products around 1e4 (queries [3, 8], keys [6, 8], weight [8, 4]) stay
    finite and correct."""
    q, k, v, w = _inputs(3, 6, 8, 4, 3, dtype, seed=7, scale=10.0, w_scale=4.0)
    out = candidate.shared_attention(q, k, v, w)
    expect_finite(out)
    expect_close(out, reference.shared_attention(q, k, v, w))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_rows_of_very_negative_and_very_large_scores(candidate, reference, dtype):
    """Queries [3, 8], keys [6, 8], weight [8, 4] with every score of row 0 around -1e4, row 1 ordinary and every score of row 2 around +1e4: each row's softmax is its own, so every row is finite (and, in float64, equals the reference)."""
    q, k, v, w = _inputs(3, 6, 8, 4, 3, dtype, seed=17)
    w[0, :], w[:, 0] = 0.0, 0.0
    w[0, 0] = 100.0                                           # feature 0 alone, scaled by 100
    q[:, 0] = torch.tensor([-2.0, 0.0, 2.0], dtype=dtype)     # how much each query likes it
    k[:, 0] = 1.0                                             # every key has it: shifts whole rows
    out = candidate.shared_attention(q, k, v, w)
    expect_finite(out)
    if dtype == torch.float64:  # float32 at this magnitude: finiteness only
        expect_close(out, reference.shared_attention(q, k, v, w))


def test_inputs_not_modified(candidate, reference):
    """The function leaves query, keys, values and weight exactly as it got them."""
    q, k, v, w = _inputs(3, 5, 4, 2, 3, torch.float64, seed=8)
    out = check_inputs_unchanged(candidate.shared_attention, q, k, v, w,
                                 names=["query", "keys", "values", "weight"])
    expect_close(out, reference.shared_attention(q, k, v, w))


@pytest.mark.parametrize("m", [4, 0], ids=["queries [4, 5]", "one query [5]"])
def test_gradients_flow(candidate, reference, m):
    """Gradients reach query, keys, values and the shared weight [5, 3] and equal the
    reference's (float64)."""
    q, k, v, w = _inputs(m, 6, 5, 3, 2, torch.float64, seed=9 + m)
    check_gradients(candidate.shared_attention, reference.shared_attention, [q, k, v, w],
                    wrt=[0, 1, 2, 3], names=["query", "keys", "values", "weight"])
