"""Hidden checks for problem18 (grouped-query attention)."""

import pytest
import torch
import torch.nn.functional as F

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, expect_raises,
    expect_true, randn,
)

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]
CAUSAL = [False, True]
CAUSAL_IDS = ["full", "causal"]


def _inputs(b, h_q, h_kv, n, d, dtype, seed=0, scale=1.0):
    return (randn(b, h_q, n, d, dtype=dtype, seed=seed, scale=scale),
            randn(b, h_kv, n, d, dtype=dtype, seed=seed + 1, scale=scale),
            randn(b, h_kv, n, d, dtype=dtype, seed=seed + 2))


def test_worked_example(candidate, reference):
    """The statement's worked example: 4 identical query heads [1, 4, 2, 2] over 2 key/value heads [1, 2, 2, 2]."""
    q = torch.tensor([[2.0, 0.0], [0.0, 2.0]]).repeat(1, 4, 1, 1)
    k = torch.tensor([[[[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [1.0, 0.0]]]])
    v = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]], [[10.0, 20.0], [30.0, 40.0]]]])
    expect_close(candidate.grouped_query_attention(q, k, v),
                 reference.grouped_query_attention(q, k, v))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("causal", CAUSAL, ids=CAUSAL_IDS)
@pytest.mark.parametrize("b,h_q,h_kv,n,d", [(2, 4, 2, 6, 8), (3, 8, 2, 5, 4)],
                         ids=["groups of 2", "groups of 4"])
def test_grouped_values(candidate, reference, b, h_q, h_kv, n, d, causal, dtype):
    """q [b, h_q, n, d] over k, v [b, h_kv, n, d] with h_q / h_kv query heads per key/value head matches the reference."""
    q, k, v = _inputs(b, h_q, h_kv, n, d, dtype, seed=h_q + 10 * n)
    expect_close(candidate.grouped_query_attention(q, k, v, causal),
                 reference.grouped_query_attention(q, k, v, causal))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("causal", CAUSAL, ids=CAUSAL_IDS)
def test_one_kv_head_is_multi_query(candidate, causal, dtype):
    """With h_kv = 1 (multi-query attention) every one of the 4 query heads attends over the single key/value head."""
    b, h_q, n, d = 2, 4, 5, 8
    q, k, v = _inputs(b, h_q, 1, n, d, dtype, seed=31)
    expected = torch.stack([F.scaled_dot_product_attention(q[:, i], k[:, 0], v[:, 0],
                                                           is_causal=causal)
                            for i in range(h_q)], dim=1)
    expect_close(candidate.grouped_query_attention(q, k, v, causal), expected)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("causal", CAUSAL, ids=CAUSAL_IDS)
def test_equal_heads_is_multi_head(candidate, causal, dtype):
    """With h_kv = h_q = 4 it is ordinary multi-head attention: query head i attends over key/value head i."""
    b, h, n, d = 2, 4, 6, 8
    q, k, v = _inputs(b, h, h, n, d, dtype, seed=41)
    expected = torch.stack([F.scaled_dot_product_attention(q[:, i], k[:, i], v[:, i],
                                                           is_causal=causal)
                            for i in range(h)], dim=1)
    expect_close(candidate.grouped_query_attention(q, k, v, causal), expected)


def test_head_mapping_is_grouped(candidate, reference):
    """Query heads 0-2 read key/value head 0 and heads 3-5 read head 1 (h_q = 6, h_kv = 2): with every value of head j equal to j, output head i is i // 3 everywhere."""
    b, h_q, h_kv, n, d = 1, 6, 2, 4, 4
    q, k, _ = _inputs(b, h_q, h_kv, n, d, torch.float64, seed=51)
    v = torch.arange(h_kv, dtype=torch.float64).reshape(1, h_kv, 1, 1).expand(b, h_kv, n, d)
    v = v.contiguous()
    expect_close(candidate.grouped_query_attention(q, k, v),
                 reference.grouped_query_attention(q, k, v))


@pytest.mark.parametrize("causal", CAUSAL, ids=CAUSAL_IDS)
def test_single_position(candidate, reference, causal):
    """n = 1: each query head attends to the one position of its key/value head and returns that value (h_q = 4, h_kv = 2)."""
    q, k, v = _inputs(2, 4, 2, 1, 8, torch.float64, seed=61)
    expect_close(candidate.grouped_query_attention(q, k, v, causal),
                 reference.grouped_query_attention(q, k, v, causal))


def test_rejects_indivisible_heads(candidate):
    """h_q = 6 query heads with h_kv = 4 key/value heads: ValueError naming 6 and 4."""
    q, k, v = _inputs(1, 6, 4, 3, 4, torch.float32, seed=71)
    with expect_raises(ValueError, mentions=["6", "4"]):
        candidate.grouped_query_attention(q, k, v)


def test_rejects_more_kv_heads_than_query_heads(candidate):
    """h_q = 2 query heads with h_kv = 4 key/value heads: ValueError naming 2 and 4."""
    q, k, v = _inputs(1, 2, 4, 3, 4, torch.float32, seed=72)
    with expect_raises(ValueError, mentions=["2", "4"]):
        candidate.grouped_query_attention(q, k, v)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_large_scores_stay_finite(candidate, reference, dtype):
    """Scores around 1e4 (q and k scaled up, causal, groups of 2): the output stays finite and correct."""
    q, k, v = _inputs(2, 4, 2, 6, 8, dtype, seed=81, scale=60.0)
    out = candidate.grouped_query_attention(q, k, v, True)
    expect_finite(out)
    expect_close(out, reference.grouped_query_attention(q, k, v, True))


def _very_negative(b, h_q, h_kv, n, dtype, seed):
    """q [b, h_q, n, 8], k and v [b, h_kv, n, 8] whose scaled scores all sit around -3.2e4."""
    q, k, v = _inputs(b, h_q, h_kv, n, 8, dtype, seed=seed)
    q[..., 0] = -300.0               # every query dislikes feature 0, which every key has:
    k[..., 0] = 300.0                # each score drops by about 3.2e4, the softmax is unchanged
    return q, k, v


@pytest.mark.parametrize("causal", CAUSAL, ids=CAUSAL_IDS)
@pytest.mark.parametrize("b,h_q,h_kv", [(2, 4, 2), (1, 1, 1)], ids=["groups of 2", "one head, b=1"])
def test_very_negative_scores(candidate, reference, b, h_q, h_kv, causal):
    """Every score around -3.2e4 (float64, n = 6; groups of 2, and a single head with a batch of one): the output equals the reference, and with causal=True no position gives any weight to a later one.

    Catches a causal mask filled with a finite value such as -1e4: here the real scores
    are lower than the fill, so the future positions win the softmax.
    """
    q, k, v = _very_negative(b, h_q, h_kv, 6, torch.float64, seed=85 + h_q)
    expect_close(candidate.grouped_query_attention(q, k, v, causal),
                 reference.grouped_query_attention(q, k, v, causal))


def test_very_negative_scores_causal_float32(candidate):
    """float32, every score around -3.2e4, causal (q [2, 4, 6, 8], k and v [2, 2, 6, 8]): the output is finite, and changing the keys and values of positions 3-5 leaves the outputs at positions 0-2 unchanged."""
    q, k, v = _very_negative(2, 4, 2, 6, torch.float32, seed=88)
    k2, v2 = k.clone(), v.clone()
    k2[:, :, 3:, 1:] = randn(2, 2, 3, 7, seed=89, scale=3.0)
    v2[:, :, 3:] = randn(2, 2, 3, 8, seed=90, scale=3.0)
    before = candidate.grouped_query_attention(q, k, v, True)
    after = candidate.grouped_query_attention(q, k2, v2, True)
    expect_finite(before)
    expect_true(isinstance(after, torch.Tensor) and before.shape == after.shape == (2, 4, 6, 8),
                "expected an output of shape [2, 4, 6, 8] for q [2, 4, 6, 8]")
    expect_close(after[:, :, :3], before[:, :, :3],
                 what="outputs at positions 0..2 after changing keys and values 3..5")


def test_inputs_not_modified(candidate, reference):
    """The function leaves q, k and v exactly as it got them."""
    q, k, v = _inputs(2, 4, 2, 5, 4, torch.float64, seed=91)
    out = check_inputs_unchanged(candidate.grouped_query_attention, q, k, v, True,
                                 names=["q", "k", "v", "causal"])
    expect_close(out, reference.grouped_query_attention(q, k, v, True))


@pytest.mark.parametrize("causal", CAUSAL, ids=CAUSAL_IDS)
def test_gradients_flow(candidate, reference, causal):
    """Gradients reach q, k and v (each key/value head collecting from its whole group) and equal the reference's (float64, h_q = 6, h_kv = 2)."""
    q, k, v = _inputs(2, 6, 2, 5, 4, torch.float64, seed=101)
    check_gradients(candidate.grouped_query_attention, reference.grouped_query_attention,
                    [q, k, v, causal], wrt=[0, 1, 2], names=["q", "k", "v"])
