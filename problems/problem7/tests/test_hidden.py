"""Hidden checks for problem7 (multi-head attention). Run by the grader, never shown to learners."""

import pytest
import torch
import torch.nn.functional as F

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, expect_raises, randn,
)

DTYPES = [torch.float32, torch.float64]


def _inputs(lead, m, n, d, dv, dtype=torch.float64, seed=0, scale=1.0):
    q = randn(*lead, m, d, dtype=dtype, seed=seed, scale=scale)
    k = randn(*lead, n, d, dtype=dtype, seed=seed + 1, scale=scale)
    v = randn(*lead, n, dv, dtype=dtype, seed=seed + 2)
    return q, k, v


def _heads_by_sdpa(q, k, v, h):
    """Each head's feature slice through torch's scaled dot-product attention, side by side."""
    dh, dvh = q.shape[-1] // h, v.shape[-1] // h
    return torch.cat([
        F.scaled_dot_product_attention(q[..., i * dh:(i + 1) * dh], k[..., i * dh:(i + 1) * dh],
                                       v[..., i * dvh:(i + 1) * dvh])
        for i in range(h)
    ], dim=-1)


def test_worked_example(candidate, reference):
    """The statement's worked example: queries [2, 4] over keys [3, 4], values [3, 2], 2 heads."""
    q = torch.tensor([[1.0, 0.0, 0.0, 1.0], [0.0, 2.0, 1.0, 0.0]])
    k = torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0]])
    v = torch.tensor([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])
    expect_close(candidate.multi_head_attention(q, k, v, 2),
                 reference.multi_head_attention(q, k, v, 2))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("m,n,d,dv,h", [(4, 6, 8, 8, 2), (6, 3, 8, 4, 4), (1, 5, 8, 4, 2),
                                        (5, 1, 6, 6, 3)],
                         ids=["m<n", "m>n,dv<d", "m=1", "n=1"])
def test_values_match(candidate, reference, m, n, d, dv, h, dtype):
    """Queries [m, d] over keys [n, d] and values [n, d_v] with h heads give the right output
    [m, d_v]."""
    q, k, v = _inputs((), m, n, d, dv, dtype, seed=10 * m + n)
    expect_close(candidate.multi_head_attention(q, k, v, h),
                 reference.multi_head_attention(q, k, v, h))


@pytest.mark.parametrize("h", [1, 2, 4, 8], ids=["1head", "2heads", "4heads", "heads=d"])
def test_head_counts(candidate, reference, h):
    """d = 8, d_v = 16 with 1, 2, 4 and 8 heads (8 heads: one feature per head, scale 1)."""
    q, k, v = _inputs((), 5, 7, 8, 16, seed=20 + h)
    expect_close(candidate.multi_head_attention(q, k, v, h),
                 reference.multi_head_attention(q, k, v, h))


def test_one_head_is_scaled_dot_product_attention(candidate):
    """With one head the result equals torch's scaled dot-product attention (scale 1/sqrt(d))."""
    q, k, v = _inputs((2,), 5, 7, 6, 4, seed=30)
    expect_close(candidate.multi_head_attention(q, k, v, 1),
                 F.scaled_dot_product_attention(q, k, v))


@pytest.mark.parametrize("h", [2, 4], ids=["2heads", "4heads"])
def test_heads_split_features(candidate, h):
    """Output columns [i*d_v/h, (i+1)*d_v/h) are head i: attention over ALL positions using only
    feature slice i of the queries, keys and values."""
    q, k, v = _inputs((), 6, 9, 8, 12, seed=40 + h)
    expect_close(candidate.multi_head_attention(q, k, v, h), _heads_by_sdpa(q, k, v, h))


def test_head_sees_only_its_features(candidate):
    """Changing only head 1's features of the queries and keys leaves head 0's output columns
    (the first 2 of 4) unchanged."""
    q, k, v = _inputs((), 3, 5, 4, 4, seed=50)
    q2, k2 = q.clone(), k.clone()
    q2[:, 2:] = randn(3, 2, dtype=q.dtype, seed=51)
    k2[:, 2:] = randn(5, 2, dtype=k.dtype, seed=52)
    before = candidate.multi_head_attention(q, k, v, 2)
    after = candidate.multi_head_attention(q2, k2, v, 2)
    expect_close(after[:, :2], before[:, :2],
                 what="head 0's columns after changing head 1's features")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("lead", [(3,), (2, 3)], ids=["[b,m,d]", "[b1,b2,m,d]"])
def test_leading_batch_dimensions(candidate, reference, lead, dtype):
    """Leading batch dimensions ([b, m, d] and [b1, b2, m, d]) are carried through to the output
    [..., m, d_v]."""
    q, k, v = _inputs(lead, 4, 6, 8, 4, dtype, seed=60 + len(lead))
    expect_close(candidate.multi_head_attention(q, k, v, 2),
                 reference.multi_head_attention(q, k, v, 2))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_large_scores_stay_finite(candidate, reference, dtype):
    """Per-head dot products around 1e4 must not overflow: the output stays finite and
    correct."""
    q, k, v = _inputs((2,), 3, 6, 8, 4, dtype, seed=70, scale=60.0)
    out = candidate.multi_head_attention(q, k, v, 2)
    expect_finite(out)
    expect_close(out, reference.multi_head_attention(q, k, v, 2))


def test_rejects_d_not_divisible(candidate):
    """d = 6 with 4 heads (queries [3, 6], keys [5, 6], values [5, 8]): ValueError naming 6
    and 4."""
    q, k, v = _inputs((), 3, 5, 6, 8, seed=80)
    with expect_raises(ValueError, mentions=["6", "4"]):
        candidate.multi_head_attention(q, k, v, 4)


def test_rejects_dv_not_divisible(candidate):
    """d_v = 10 with 4 heads (queries [3, 8], keys [5, 8], values [5, 10]): ValueError naming 10
    and 4."""
    q, k, v = _inputs((), 3, 5, 8, 10, seed=81)
    with expect_raises(ValueError, mentions=["10", "4"]):
        candidate.multi_head_attention(q, k, v, 4)


@pytest.mark.parametrize("h", [0, -2], ids=["0heads", "-2heads"])
def test_rejects_fewer_than_one_head(candidate, h):
    """num_heads below 1 (0 and -2): ValueError naming the number of heads."""
    q, k, v = _inputs((), 3, 5, 8, 8, seed=82)
    with expect_raises(ValueError, mentions=[str(h)]):
        candidate.multi_head_attention(q, k, v, h)


def test_inputs_not_modified(candidate, reference):
    """The function leaves query, keys and values exactly as it got them."""
    q, k, v = _inputs((2,), 3, 5, 8, 4, seed=90)
    out = check_inputs_unchanged(candidate.multi_head_attention, q, k, v, 2,
                                 names=["query", "keys", "values"])
    expect_close(out, reference.multi_head_attention(q, k, v, 2))


def test_gradients_flow(candidate, reference):
    """Gradients reach query, keys and values (4 heads, [2, 3, 8] over [2, 5, 8]) and equal the
    reference's (float64)."""
    q, k, v = _inputs((2,), 3, 5, 8, 4, seed=91)
    check_gradients(candidate.multi_head_attention, reference.multi_head_attention, [q, k, v, 4],
                    wrt=[0, 1, 2], names=["query", "keys", "values"])
