"""Hidden checks for problem16 (multi-hop attention). Run by the grader, never shown to learners."""

import pytest
import torch

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, expect_raises, randn,
)

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]


def _inputs(n, d, dtype, seed, scale=1.0):
    """query [d], keys [n, d], values [n, d]."""
    return (randn(d, dtype=dtype, seed=seed, scale=scale),
            randn(n, d, dtype=dtype, seed=seed + 1, scale=scale),
            randn(n, d, dtype=dtype, seed=seed + 2))


def _call(candidate, reference, q, k, v, hops):
    expect_close(candidate.multi_hop_attention(q, k, v, hops),
                 reference.multi_hop_attention(q, k, v, hops), ["u", "weights"])


def test_worked_example(candidate, reference):
    """The statement's worked example: query [2], three keys and values [3, 2], two hops."""
    q = torch.tensor([1.0, 0.0])
    k = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    v = torch.tensor([[0.0, 2.0], [1.0, 0.0], [0.0, -1.0]])
    _call(candidate, reference, q, k, v, 2)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("hops,n,d", [(1, 6, 4), (2, 5, 8), (5, 7, 3)],
                         ids=["hops1", "hops2", "hops5"])
def test_hops(candidate, reference, hops, n, d, dtype):
    """Several hops over n keys: the refined query u [d] and each hop's weights [hops, n]."""
    q, k, v = _inputs(n, d, dtype, seed=10 * hops + n)
    _call(candidate, reference, q, k, v, hops)


def test_single_memory_slot(candidate, reference):
    """With one key (n = 1) every hop puts weight 1 on it, so u = query + hops * values[0]; weights
    [3, 1]."""
    q, k, v = _inputs(1, 5, torch.float64, seed=3)
    _call(candidate, reference, q, k, v, 3)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_large_scores_stay_finite(candidate, reference, dtype):
    """Scores keys @ u around 1e4 must not overflow: u and the weights stay finite and correct (3
    hops)."""
    q, k, v = _inputs(6, 8, dtype, seed=7, scale=50.0)
    got = candidate.multi_hop_attention(q, k, v, 3)
    if isinstance(got, (tuple, list)) and len(got) == 2:
        expect_finite(got[0], "u")
        expect_finite(got[1], "weights")
    expect_close(got, reference.multi_hop_attention(q, k, v, 3), ["u", "weights"])


def test_every_score_very_negative(candidate, reference):
    """Every score keys @ u around -9e4 at every hop (float64, query [6], keys [5, 6], 3 hops): softmax ignores a shift of all the scores, so u and the weights stay finite and equal the reference's."""
    q, k, v = _inputs(5, 6, torch.float64, seed=13)
    q[0] = -300.0                    # the query dislikes feature 0, which every key has:
    k[:, 0] = 300.0                  # each score drops by 9e4, and u[0] stays near -300
    got = candidate.multi_hop_attention(q, k, v, 3)
    if isinstance(got, (tuple, list)) and len(got) == 2:
        expect_finite(got[0], "u")
        expect_finite(got[1], "weights")
    expect_close(got, reference.multi_hop_attention(q, k, v, 3), ["u", "weights"])


@pytest.mark.parametrize("hops", [0, -2], ids=["zero", "negative"])
def test_rejects_too_few_hops(candidate, hops):
    """hops below 1 (0 or -2): ValueError whose message names the number of hops."""
    q, k, v = _inputs(4, 3, torch.float32, seed=1)
    with expect_raises(ValueError, mentions=[str(hops)]):
        candidate.multi_hop_attention(q, k, v, hops)


def test_inputs_not_modified(candidate, reference):
    """The function leaves query, keys and values exactly as it got them (3 hops)."""
    q, k, v = _inputs(5, 4, torch.float64, seed=8)
    got = check_inputs_unchanged(candidate.multi_hop_attention, q, k, v, 3,
                                 names=["query", "keys", "values", "hops"])
    expect_close(got, reference.multi_hop_attention(q, k, v, 3), ["u", "weights"])


def test_gradients_of_u(candidate, reference):
    """Gradients of u reach query, keys and values and equal the reference's (float64, 3 hops)."""
    q, k, v = _inputs(5, 4, torch.float64, seed=9)
    check_gradients(candidate.multi_hop_attention, reference.multi_hop_attention, [q, k, v, 3],
                    wrt=[0, 1, 2], output=0, names=["query", "keys", "values"])


def test_gradients_of_weights(candidate, reference):
    """Gradients of the weights [3, n] reach query, keys and values and equal the reference's
    (float64)."""
    q, k, v = _inputs(6, 3, torch.float64, seed=11)
    check_gradients(candidate.multi_hop_attention, reference.multi_hop_attention, [q, k, v, 3],
                    wrt=[0, 1, 2], output=1, names=["query", "keys", "values"])
