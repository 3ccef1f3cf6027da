"""Hidden checks for problem9 (scaled dot-product attention). Run by the grader, never shown to learners.

torch.nn.functional.scaled_dot_product_attention is forbidden in attempts, but
these tests run in the trusted process and use it as an independent oracle for
the output wherever no query has all its keys masked (its bool attn_mask also
means True = may attend). The weights, which torch does not return, are compared
with the reference solution.
"""

import pytest
import torch
import torch.nn.functional as F

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, expect_true, randn,
)

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]


def _qkv(batch, m, n, d, dv, dtype, seed=0, scale=1.0):
    q = randn(*batch, m, d, dtype=dtype, seed=seed, scale=scale)
    k = randn(*batch, n, d, dtype=dtype, seed=seed + 1, scale=scale)
    v = randn(*batch, n, dv, dtype=dtype, seed=seed + 2)
    return q, k, v


def _mask(*shape, seed=0):
    """A random bool mask in which every row keeps at least one key (True = may attend)."""
    gen = torch.Generator().manual_seed(seed)
    mask = torch.rand(*shape, generator=gen) > 0.5
    keep = torch.randint(0, shape[-1], (*shape[:-1], 1), generator=gen)
    return mask.scatter(-1, keep, True)


def _oracle(q, k, v, mask=None):
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)


def _expect_pair(got, reference, q, k, v, mask=None, oracle=True):
    """(output, weights): output against torch's kernel (or the reference), weights against the reference."""
    ref_out, ref_weights = reference.scaled_dot_product_attention(q, k, v, mask)
    expected_out = _oracle(q, k, v, mask) if oracle else ref_out
    expect_close(got, (expected_out, ref_weights), what=["output", "weights"])


def test_worked_example(candidate, reference):
    """The statement's worked example: 3 queries over 3 keys (d = 4), the last query fully masked."""
    q = torch.tensor([[2.0, 0, 0, 0], [0, 2, 0, 0], [2, 2, 2, 2]])
    k = torch.tensor([[1.0, 0, 0, 0], [0, 1, 0, 0], [1, 1, 0, 0]])
    v = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
    mask = torch.tensor([[True, True, True], [True, True, False], [False, False, False]])
    got = candidate.scaled_dot_product_attention(q, k, v, mask)
    expect_close(got, reference.scaled_dot_product_attention(q, k, v, mask),
                 what=["output", "weights"])


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("m,n,d,dv", [(4, 6, 8, 5), (6, 3, 8, 2), (5, 5, 16, 3), (3, 1, 4, 2)],
                         ids=["m<n", "m>n", "m=n", "n=1"])
def test_values_without_mask(candidate, reference, m, n, d, dv, dtype):
    """Without a mask, q [m, d], k [n, d], v [n, d_v] give (output [m, d_v], weights [m, n]) with scale 1/sqrt(d)."""
    q, k, v = _qkv((), m, n, d, dv, dtype, seed=10 * m + n)
    got = candidate.scaled_dot_product_attention(q, k, v)
    _expect_pair(got, reference, q, k, v)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_leading_batch_dimensions(candidate, reference, dtype):
    """Two leading batch dimensions: q [2, 3, 4, 8], k [2, 3, 6, 8], v [2, 3, 6, 5], each slice independent."""
    q, k, v = _qkv((2, 3), 4, 6, 8, 5, dtype, seed=20)
    got = candidate.scaled_dot_product_attention(q, k, v, mask=None)
    _expect_pair(got, reference, q, k, v)


def test_scale_is_one_over_sqrt_d(candidate, reference):
    """With d = 16 every score is the dot product divided by sqrt(16) = 4 (not by 16, not left unscaled)."""
    q = torch.zeros(2, 16, dtype=torch.float64)
    q[0, 0], q[1, :4] = 4.0, 2.0
    k = torch.eye(16, dtype=torch.float64)[:5] * 3.0  # scores q . k: 12, 0, 0, ... and 6, 6, 6, 6, 0
    v = randn(5, 3, dtype=torch.float64, seed=21)
    got = candidate.scaled_dot_product_attention(q, k, v)
    _expect_pair(got, reference, q, k, v)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_mask_2d_broadcast_over_batch(candidate, reference, dtype):
    """A mask [4, 6] (True = may attend) shared by every batch element of q [3, 4, 8], k [3, 6, 8]."""
    q, k, v = _qkv((3,), 4, 6, 8, 5, dtype, seed=30)
    mask = _mask(4, 6, seed=31)
    got = candidate.scaled_dot_product_attention(q, k, v, mask)
    _expect_pair(got, reference, q, k, v, mask)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_key_padding_mask(candidate, reference, dtype):
    """A key-padding mask [3, 1, 7] (sequence lengths 7, 4 and 1) broadcast over the 5 queries of q [3, 5, 8]."""
    q, k, v = _qkv((3,), 5, 7, 8, 4, dtype, seed=40)
    lengths = torch.tensor([7, 4, 1])
    mask = (torch.arange(7) < lengths[:, None])[:, None, :]  # [3, 1, 7]
    got = candidate.scaled_dot_product_attention(q, k, v, mask)
    _expect_pair(got, reference, q, k, v, mask)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_causal_mask(candidate, reference, dtype):
    """A causal mask [6, 6] (query i sees keys j <= i) on q, k, v [2, 2, 6, 8]: matches torch's is_causal=True."""
    q, k, v = _qkv((2, 2), 6, 6, 8, 8, dtype, seed=50)
    mask = torch.ones(6, 6, dtype=torch.bool).tril()
    got = candidate.scaled_dot_product_attention(q, k, v, mask)
    ref_out, ref_weights = reference.scaled_dot_product_attention(q, k, v, mask)
    causal = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    expect_close(got, (causal, ref_weights), what=["output", "weights"])


def test_masked_weights_exactly_zero(candidate):
    """Every masked (query, key) pair gets a weight of exactly 0.0, not merely a small one (mask [2, 5, 9])."""
    q, k, v = _qkv((2,), 5, 9, 8, 3, torch.float32, seed=60)
    mask = _mask(2, 5, 9, seed=61)
    _, weights = candidate.scaled_dot_product_attention(q, k, v, mask)
    expect_true(isinstance(weights, torch.Tensor) and weights.shape == mask.shape,
                f"weights: expected a tensor of shape {tuple(mask.shape)}, the second value returned")
    leaked = weights[~mask]
    expect_true(bool((leaked == 0).all()), (
        f"{int((leaked != 0).sum())} masked positions have a non-zero weight "
        f"(largest {leaked.abs().max().item():.3g}); masked keys must get weight exactly 0"))


def test_weights_rows_sum_to_one(candidate, reference):
    """With a mask [4, 7], each query's weights over its allowed keys still sum to 1 (float64)."""
    q, k, v = _qkv((2,), 4, 7, 6, 3, torch.float64, seed=70)
    mask = _mask(4, 7, seed=71)
    out, weights = candidate.scaled_dot_product_attention(q, k, v, mask)
    expect_close(weights.sum(-1), torch.ones(2, 4, dtype=torch.float64), what="weights.sum(-1)")
    _expect_pair((out, weights), reference, q, k, v, mask)


def test_masked_key_that_would_dominate(candidate, reference):
    """A masked key aligned with the query (scaled score about 2.5e4) still gets weight 0: masking is not a penalty."""
    q, k, v = _qkv((), 3, 6, 16, 4, torch.float32, seed=80, scale=40.0)
    k[2] = 4.0 * q[0]  # query 0 would put all its weight on key 2 ...
    mask = torch.ones(3, 6, dtype=torch.bool)
    mask[0, 2] = False  # ... but key 2 is masked for it
    got = candidate.scaled_dot_product_attention(q, k, v, mask)
    expect_finite(got[0] if isinstance(got, (tuple, list)) else got)
    _expect_pair(got, reference, q, k, v, mask)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_fully_masked_query(candidate, reference, dtype):
    """A query whose keys are all masked gets all-zero weights and an all-zero output (no NaN); other queries are unaffected."""
    q, k, v = _qkv((2,), 4, 5, 8, 3, dtype, seed=90)
    mask = _mask(2, 4, 5, seed=91)
    mask[0, 1] = False  # batch 0, query 1: nothing to attend to
    mask[1, 3] = False  # batch 1, query 3: nothing to attend to
    got = candidate.scaled_dot_product_attention(q, k, v, mask)
    if isinstance(got, (tuple, list)) and len(got) == 2:
        for value, name in zip(got, ["output", "weights"]):
            expect_finite(value, name)
    expect_close(got, reference.scaled_dot_product_attention(q, k, v, mask),
                 what=["output", "weights"])


def test_single_key_masked(candidate, reference):
    """n = 1 with the only key masked for every query: weights [3, 1] and output [3, 2] are all zeros."""
    q, k, v = _qkv((), 3, 1, 4, 2, torch.float64, seed=95)
    mask = torch.zeros(1, 1, dtype=torch.bool)
    got = candidate.scaled_dot_product_attention(q, k, v, mask)
    expect_close(got, reference.scaled_dot_product_attention(q, k, v, mask),
                 what=["output", "weights"])


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_large_scores_stay_finite(candidate, reference, dtype):
    """Dot products around 1e4 (q, k scaled by 40) with a causal mask: the output stays finite and correct."""
    q, k, v = _qkv((2,), 5, 5, 16, 4, dtype, seed=100, scale=40.0)
    mask = torch.ones(5, 5, dtype=torch.bool).tril()
    got = candidate.scaled_dot_product_attention(q, k, v, mask)
    expect_finite(got[0] if isinstance(got, (tuple, list)) else got)
    _expect_pair(got, reference, q, k, v, mask)


def _very_negative(batch, m, n, dtype, seed):
    """q [*batch, m, 8], k [*batch, n, 8], v [*batch, n, 3] whose scores all sit around -3.2e4."""
    q, k, v = _qkv(batch, m, n, 8, 3, dtype, seed=seed)
    q[..., 0] = -300.0               # every query dislikes feature 0, which every key has:
    k[..., 0] = 300.0                # each score drops by about 3.2e4, the softmax is unchanged
    return q, k, v


def test_very_negative_scores_with_mask(candidate, reference):
    """Every score around -3.2e4 and a mask [4, 9] (float64, q [2, 4, 8], k [2, 9, 8]): masked keys still get weight exactly 0 and the allowed keys share all of it, as in torch.

    Catches masked scores filled with a finite value such as -1e4 or -10000: here the
    real scores are lower than the fill, so the masked keys take all the weight.
    """
    q, k, v = _very_negative((2,), 4, 9, torch.float64, seed=102)
    mask = _mask(4, 9, seed=103)
    got = candidate.scaled_dot_product_attention(q, k, v, mask)
    _expect_pair(got, reference, q, k, v, mask)


def test_very_negative_scores_with_mask_float32(candidate):
    """float32, every score around -3.2e4, mask [4, 9] on q [2, 4, 8], k [2, 9, 8]: output and weights are finite, masked weights are exactly 0 and each query's weights sum to 1."""
    q, k, v = _very_negative((2,), 4, 9, torch.float32, seed=104)
    mask = _mask(4, 9, seed=105)
    got = candidate.scaled_dot_product_attention(q, k, v, mask)
    expect_true(isinstance(got, (tuple, list)) and len(got) == 2,
                "expected a tuple (output, weights)")
    out, weights = got
    expect_finite(out, "output")
    expect_finite(weights, "weights")
    expect_true(isinstance(weights, torch.Tensor) and weights.shape == (2, 4, 9),
                "weights: expected a tensor of shape (2, 4, 9), the second value returned")
    leaked = weights[~mask.expand(2, 4, 9)]
    expect_true(bool((leaked == 0).all()), (
        f"{int((leaked != 0).sum())} masked positions have a non-zero weight "
        f"(largest {leaked.abs().max().item():.3g}); masked keys must get weight exactly 0, "
        f"however low the real scores are"))
    expect_close(weights.sum(-1), torch.ones(2, 4), what="weights.sum(-1)")


def test_very_negative_scores_one_key(candidate, reference):
    """One key (n = 1) and scores around -3.2e4, no mask (float64, q [3, 8], k [1, 8]): the only key gets weight 1 and the output is its value."""
    q, k, v = _very_negative((), 3, 1, torch.float64, seed=106)
    got = candidate.scaled_dot_product_attention(q, k, v)
    _expect_pair(got, reference, q, k, v)


def test_inputs_not_modified(candidate, reference):
    """The function leaves q, k, v and the mask exactly as it got them."""
    q, k, v = _qkv((2,), 4, 6, 8, 3, torch.float64, seed=110)
    mask = _mask(4, 6, seed=111)
    got = check_inputs_unchanged(candidate.scaled_dot_product_attention, q, k, v, mask,
                                 names=["q", "k", "v", "mask"])
    _expect_pair(got, reference, q, k, v, mask)


def test_gradients_flow(candidate, reference):
    """Gradients of the output reach q, k and v and equal the reference's (float64, causal mask [5, 5])."""
    q, k, v = _qkv((2,), 5, 5, 6, 3, torch.float64, seed=120)
    mask = torch.ones(5, 5, dtype=torch.bool).tril()
    check_gradients(candidate.scaled_dot_product_attention, reference.scaled_dot_product_attention,
                    [q, k, v, mask], wrt=[0, 1, 2], output=0, names=["q", "k", "v"])


def test_gradients_with_fully_masked_query(candidate, reference):
    """With one query fully masked, the gradients of q, k and v are finite (zero for that query) and equal the reference's."""
    q, k, v = _qkv((), 4, 5, 6, 3, torch.float64, seed=130)
    mask = _mask(4, 5, seed=131)
    mask[2] = False
    check_gradients(candidate.scaled_dot_product_attention, reference.scaled_dot_product_attention,
                    [q, k, v, mask], wrt=[0, 1, 2], output=0, names=["q", "k", "v"])
