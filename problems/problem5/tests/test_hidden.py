"""Hidden checks for problem5 (simple attention). Run by the grader, never shown to learners."""

import pytest
import torch

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, expect_raises,
    randint, randn,
)

DTYPES = [torch.float32, torch.float64]


def _inputs(m, n, d, dv, dtype, seed=0, scale=1.0):
    q = randn(m, d, dtype=dtype, seed=seed, scale=scale) if m else randn(d, dtype=dtype, seed=seed)
    return q, randn(n, d, dtype=dtype, seed=seed + 1, scale=scale), randn(n, dv, dtype=dtype, seed=seed + 2)


def test_worked_example(candidate, reference):
    """The statement's worked example: one query [3] over three keys, values [3, 2]."""
    q = torch.tensor([1.0, 0.0, -1.0])
    k = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    v = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    expect_close(candidate.attention(q, k, v), reference.attention(q, k, v))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("m,n,d,dv", [(4, 6, 8, 5), (6, 3, 8, 2), (1, 5, 4, 4), (3, 1, 4, 2)],
                         ids=["m<n", "m>n", "m=1", "n=1"])
def test_batch_of_queries(candidate, reference, m, n, d, dv, dtype):
    """A batch of queries [m, d]: each output row is that query's attention over the keys."""
    q, k, v = _inputs(m, n, d, dv, dtype, seed=10 * m + n)
    expect_close(candidate.attention(q, k, v), reference.attention(q, k, v))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_single_query_vector(candidate, reference, dtype):
    """One query vector [d] (as in the guide) gives one output vector [d_v]."""
    q, k, v = _inputs(0, 7, 6, 3, dtype, seed=3)
    expect_close(candidate.attention(q, k, v), reference.attention(q, k, v))


@pytest.mark.parametrize("n,dv", [(4, 1), (1, 3)], ids=["d_v=1", "n=1"])
def test_single_query_small_sizes(candidate, reference, n, dv):
    """One query vector [6] with values of one feature (keys [4, 6], values [4, 1]) or a single key (keys [1, 6], values [1, 3]): the output is [d_v], still a vector, never a 0-d scalar."""
    q, k, v = _inputs(0, n, 6, dv, torch.float64, seed=20 + n)
    expect_close(candidate.attention(q, k, v), reference.attention(q, k, v))


def test_integer_inputs(candidate, reference):
    """Integer tensors, like the guide's example, are promoted to the default float dtype."""
    q, k, v = randint(-3, 4, 2, 3, seed=1), randint(-3, 4, 5, 3, seed=2), randint(0, 9, 5, 2, seed=3)
    expect_close(candidate.attention(q, k, v), reference.attention(q, k, v))


def test_equal_scores_average_values(candidate, reference):
    """A zero query scores every key the same, so the output is the plain mean of the values."""
    q = torch.zeros(2, 4, dtype=torch.float64)
    k, v = randn(5, 4, dtype=torch.float64, seed=4), randn(5, 3, dtype=torch.float64, seed=5)
    expect_close(candidate.attention(q, k, v), reference.attention(q, k, v))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_large_scores_stay_finite(candidate, reference, dtype):
    """Dot products around 1e4 must not overflow: the output stays finite and correct."""
    q, k, v = _inputs(3, 6, 8, 4, dtype, seed=7, scale=40.0)
    out = candidate.attention(q, k, v)
    expect_finite(out)
    expect_close(out, reference.attention(q, k, v))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_rows_of_very_negative_and_very_large_scores(candidate, reference, dtype):
    """Queries [3, 8] over keys [6, 8] whose scores are all around -1e4 in row 0, ordinary in row 1 and all around +1e4 in row 2: each row's softmax is its own, so every row is finite (and, in float64, equals the reference).

    Catches a hand-written softmax that subtracts one maximum for the whole score
    matrix instead of each row's: rows far below it underflow to 0 / 0 = NaN.
    """
    q, k, v = _inputs(3, 6, 8, 4, dtype, seed=11)
    q[:, 0] = torch.tensor([-100.0, 0.0, 100.0], dtype=dtype)  # how much each query likes feature 0
    k[:, 0] = 100.0                                           # which every key has: shifts whole rows
    out = candidate.attention(q, k, v)
    expect_finite(out)
    if dtype == torch.float64:  # float32 at this magnitude: finiteness only
        expect_close(out, reference.attention(q, k, v))


def test_rejects_query_key_mismatch(candidate):
    """query [3, 4] against keys [6, 5]: ValueError naming both d (4 and 5)."""
    q, k, v = randn(3, 4, seed=1), randn(6, 5, seed=2), randn(6, 2, seed=3)
    with expect_raises(ValueError, mentions=["4", "5"]):
        candidate.attention(q, k, v)


@pytest.mark.parametrize("shapes,mentions", [
    (((4,), (6, 5), (6, 2)), ["4", "5"]),
    (((4,), (6, 4), (7, 2)), ["6", "7"]),
], ids=["query-keys", "keys-values"])
def test_rejects_mismatch_for_single_query(candidate, shapes, mentions):
    """One query vector [4] is checked like a batch: against keys [6, 5] (d differs) or with keys [6, 4] and values [7, 2] (n differs), ValueError naming both sizes."""
    q, k, v = (randn(*shape, seed=i) for i, shape in enumerate(shapes))
    with expect_raises(ValueError, mentions=mentions):
        candidate.attention(q, k, v)


def test_rejects_key_value_mismatch(candidate):
    """keys [6, 4] with values [7, 2]: ValueError naming both n (6 and 7)."""
    q, k, v = randn(3, 4, seed=1), randn(6, 4, seed=2), randn(7, 2, seed=3)
    with expect_raises(ValueError, mentions=["6", "7"]):
        candidate.attention(q, k, v)


def test_inputs_not_modified(candidate, reference):
    """The function leaves query, keys and values exactly as it got them."""
    q, k, v = _inputs(3, 5, 4, 2, torch.float64, seed=8)
    out = check_inputs_unchanged(candidate.attention, q, k, v, names=["query", "keys", "values"])
    expect_close(out, reference.attention(q, k, v))


def test_gradients_flow(candidate, reference):
    """Gradients reach query, keys and values and equal the reference's (float64)."""
    q, k, v = _inputs(3, 5, 4, 2, torch.float64, seed=9)
    check_gradients(candidate.attention, reference.attention, [q, k, v], wrt=[0, 1, 2],
                    names=["query", "keys", "values"])
