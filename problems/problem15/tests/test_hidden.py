"""Hidden checks for problem15 (symmetric attention). Run by the grader, never shown to learners."""

import pytest
import torch

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, expect_true, randn,
)
from grader.results import FailureKind

DTYPES = [torch.float32, torch.float64]
WHAT = ["output", "scores"]


def _inputs(shape, dtype, seed, scale=1.0):
    """x of the given shape and a deliberately non-symmetric m [d, d]."""
    d = shape[-1]
    return randn(*shape, dtype=dtype, seed=seed, scale=scale), randn(d, d, dtype=dtype, seed=seed + 1)


def test_worked_example(candidate, reference):
    """The statement's worked example: x [3, 2] with the non-symmetric m [[2, 2], [0, 0]]."""
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    m = torch.tensor([[2.0, 2.0], [0.0, 0.0]])
    expect_close(candidate.symmetric_attention(x, m), reference.symmetric_attention(x, m), WHAT)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("n,d", [(5, 6), (3, 8), (7, 3), (1, 5)], ids=["n5-d6", "n3-d8", "n7-d3", "n1"])
def test_values(candidate, reference, n, d, dtype):
    """x [n, d] and a non-symmetric m [d, d]: output [n, d] and scores [n, n] match the reference."""
    x, m = _inputs((n, d), dtype, seed=10 * n + d)
    expect_close(candidate.symmetric_attention(x, m), reference.symmetric_attention(x, m), WHAT)


@pytest.mark.parametrize("shape", [(4, 6, 8), (2, 3, 5, 3)], ids=["[4, 6, 8]", "[2, 3, 5, 3]"])
def test_leading_batch_dims(candidate, reference, shape):
    """Leading batch dimensions: x [..., n, d] gives output [..., n, d] and scores [..., n, n] (float64)."""
    x, m = _inputs(shape, torch.float64, seed=len(shape))
    expect_close(candidate.symmetric_attention(x, m), reference.symmetric_attention(x, m), WHAT)


@pytest.mark.parametrize("shape", [(6, 5), (3, 4, 5)], ids=["[6, 5]", "[3, 4, 5]"])
def test_scores_are_symmetric(candidate, shape):
    """For a non-symmetric m, the returned scores equal their own transpose: scores[..., i, j] == scores[..., j, i] (float64)."""
    x, m = _inputs(shape, torch.float64, seed=20 + len(shape))
    out = candidate.symmetric_attention(x, m)
    expect_true(isinstance(out, (tuple, list)) and len(out) == 2,
                "expected a tuple (output, scores)", FailureKind.TYPE)
    scores = out[1]
    n = shape[-2]
    expect_true(isinstance(scores, torch.Tensor) and scores.shape[-2:] == (n, n),
                f"scores: expected a tensor of shape [..., {n}, {n}]", FailureKind.SHAPE)
    expect_close(scores.transpose(-2, -1), scores, what="scores transposed (against scores)")


def test_only_symmetric_part_of_m_matters(candidate, reference):
    """Adding an antisymmetric matrix to m (m + s with s.T == -s) changes nothing: both calls give the reference's result for m."""
    x, m = _inputs((5, 6), torch.float64, seed=30)
    s = randn(6, 6, dtype=torch.float64, seed=32, scale=3.0)
    s = s - s.T  # antisymmetric
    expected = reference.symmetric_attention(x, m)
    expect_close(candidate.symmetric_attention(x, m), expected, WHAT)
    expect_close(candidate.symmetric_attention(x, m + s), expected,
                 ["output for m + s", "scores for m + s"])


def test_symmetric_m_used_as_is(candidate, reference):
    """When m is already symmetric, A = m: scores are x @ m @ x.T / sqrt(d) (x [4, 6], float64)."""
    x, m = _inputs((4, 6), torch.float64, seed=40)
    m = m + m.T
    expect_close(candidate.symmetric_attention(x, m), reference.symmetric_attention(x, m), WHAT)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_large_scores_stay_finite(candidate, reference, dtype):
    """x scaled so the scores reach ~1e4: output and scores stay finite and correct."""
    x, m = _inputs((2, 6, 8), dtype, seed=50, scale=40.0)
    out = candidate.symmetric_attention(x, m)
    expect_true(isinstance(out, (tuple, list)) and len(out) == 2,
                "expected a tuple (output, scores)", FailureKind.TYPE)
    expect_finite(out[0], "output")
    expect_finite(out[1], "scores")
    expect_close(out, reference.symmetric_attention(x, m), WHAT)


@pytest.mark.parametrize("shift", [-3e4, 3e4], ids=["all-very-negative", "all-very-large"])
def test_every_score_shifted_far(candidate, reference, shift):
    """Every score of x [2, 5, 6] around -3e4 (or +3e4), not just some (float64): softmax ignores a shift of a whole row, so the output equals the reference and stays finite."""
    x, m = _inputs((2, 5, 6), torch.float64, seed=55)
    x[..., 0] = 1.0                        # a feature every token has ...
    m[0, :], m[:, 0] = 0.0, 0.0
    m[0, 0] = shift * 6 ** 0.5             # ... scored alone: each score moves by `shift`
    out = candidate.symmetric_attention(x, m)
    expect_true(isinstance(out, (tuple, list)) and len(out) == 2,
                "expected a tuple (output, scores)", FailureKind.TYPE)
    expect_finite(out[0], "output")
    expect_close(out, reference.symmetric_attention(x, m), WHAT)


def test_inputs_not_modified(candidate, reference):
    """The function leaves x and m exactly as it got them."""
    x, m = _inputs((2, 5, 3), torch.float64, seed=60)
    out = check_inputs_unchanged(candidate.symmetric_attention, x, m, names=["x", "m"])
    expect_close(out, reference.symmetric_attention(x, m), WHAT)


@pytest.mark.parametrize("which", [0, 1], ids=["through-output", "through-scores"])
def test_gradients_flow(candidate, reference, which):
    """Gradients reach x [2, 5, 6] and m [6, 6] and equal the reference's (float64)."""
    x, m = _inputs((2, 5, 6), torch.float64, seed=70)
    check_gradients(candidate.symmetric_attention, reference.symmetric_attention, [x, m],
                    wrt=[0, 1], output=which, names=["x", "m"])
