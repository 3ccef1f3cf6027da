"""Hidden checks for problem23 (ALiBi). Run by the grader, never shown to learners.

The slopes are checked against a transcription of the ALiBi authors' own
`get_slopes` (github.com/ofirpress/attention_with_linear_biases), computed in
Python floats. The attention output is checked against torch's
scaled_dot_product_attention (forbidden in attempts, fine here in the trusted
process) given the ALiBi bias as a float attn_mask built from those slopes in
float64, so neither oracle depends on the reference solution.
"""

import math

import pytest
import torch
import torch.nn.functional as F

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, expect_raises, randn,
)

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]


def _paper_slopes(n):
    """The ALiBi repository's get_slopes, as published (Python floats)."""
    def power_of_2(n):
        start = 2 ** (-2 ** -(math.log2(n) - 3))
        ratio = start
        return [start * ratio ** i for i in range(n)]
    if math.log2(n).is_integer():
        return power_of_2(n)
    closest = 2 ** math.floor(math.log2(n))
    return power_of_2(closest) + _paper_slopes(2 * closest)[0::2][: n - closest]


def _oracle(q, k, v, causal):
    """torch's fused attention with the ALiBi bias (and -inf above the diagonal) as attn_mask."""
    b, h, n, d = q.shape
    slopes = torch.tensor(_paper_slopes(h), dtype=torch.float64)
    i = torch.arange(n)[:, None]
    j = torch.arange(n)[None, :]
    distance = (i - j).to(torch.float64)
    if not causal:
        distance = distance.abs()
    bias = -slopes[:, None, None] * distance                       # [h, n, n]
    if causal:
        bias = bias.masked_fill(j > i, float("-inf"))
    return F.scaled_dot_product_attention(q, k, v, attn_mask=bias.to(q.dtype))


def _qkv(b, h, n, d, dtype, seed, scale=1.0):
    return (randn(b, h, n, d, dtype=dtype, seed=seed, scale=scale),
            randn(b, h, n, d, dtype=dtype, seed=seed + 1, scale=scale),
            randn(b, h, n, d, dtype=dtype, seed=seed + 2))


def test_worked_example(candidate, reference):
    """The statement's worked example: q = k = 0 (scores all 0), v = positions 0..3, one head of 4 (slope 2^-2) and the default causal=True."""
    q = torch.zeros(1, 4, 4, 2)
    v = torch.arange(4.0).reshape(1, 1, 4, 1).expand(1, 4, 4, 2).contiguous()
    expect_close(candidate.alibi_attention(q, q, v), reference.alibi_attention(q, q, v))


@pytest.mark.parametrize("num_heads", [1, 2, 3, 6, 8, 12, 16, 24],
                         ids=lambda h: f"h={h}")
def test_slopes(candidate, num_heads):
    """alibi_slopes(h) is a float32 [h] equal to the paper's get_slopes: 2^(-8(i+1)/h) for a power of two h, else the slopes of the largest power of two h' < h followed by alibi_slopes(2h')[0::2][:h - h']."""
    expected = torch.tensor(_paper_slopes(num_heads), dtype=torch.float64).to(torch.float32)
    expect_close(candidate.alibi_slopes(num_heads), expected, what=f"alibi_slopes({num_heads})")


@pytest.mark.parametrize("num_heads", [0, -2], ids=["h=0", "h=-2"])
def test_slopes_reject_no_heads(candidate, num_heads):
    """alibi_slopes(h) with h < 1 (0 or -2) raises ValueError naming h."""
    with expect_raises(ValueError, mentions=[str(num_heads)]):
        candidate.alibi_slopes(num_heads)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_causal_8_heads(candidate, dtype):
    """causal=True, q, k, v [2, 8, 7, 16]: key j > i is masked and key j <= i pays m_head * (i - j)."""
    q, k, v = _qkv(2, 8, 7, 16, dtype, seed=10)
    expect_close(candidate.alibi_attention(q, k, v, causal=True), _oracle(q, k, v, True))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_causal_12_heads(candidate, dtype):
    """causal=True with 12 heads, q, k, v [1, 12, 9, 8]: the 4 extra heads use the in-between slopes 2^-0.5 .. 2^-3.5."""
    q, k, v = _qkv(1, 12, 9, 8, dtype, seed=20)
    expect_close(candidate.alibi_attention(q, k, v, causal=True), _oracle(q, k, v, True))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_bidirectional(candidate, dtype):
    """causal=False with 6 heads, q, k, v [2, 6, 8, 16]: every key is visible and pays m_head * |i - j|, the same in both directions."""
    q, k, v = _qkv(2, 6, 8, 16, dtype, seed=30)
    expect_close(candidate.alibi_attention(q, k, v, causal=False), _oracle(q, k, v, False))


@pytest.mark.parametrize("causal", [True, False], ids=["causal", "bidirectional"])
def test_float64_long_sequence(candidate, causal):
    """float64 q, k, v [1, 12, 300, 8]: distances up to 299 times irrational slopes; slopes must be computed in float64, not cast up from float32."""
    q, k, v = _qkv(1, 12, 300, 8, torch.float64, seed=40)
    expect_close(candidate.alibi_attention(q, k, v, causal=causal), _oracle(q, k, v, causal))


def test_one_head_one_key(candidate):
    """One head (slope 2^-8) and one position: q, k, v [3, 1, 1, 4] give out = v (float64)."""
    q, k, v = _qkv(3, 1, 1, 4, torch.float64, seed=50)
    expect_close(candidate.alibi_attention(q, k, v, causal=True), v)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_large_scores(candidate, dtype):
    """Dot products around 1e4 (q, k scaled by 40), q, k, v [1, 4, 6, 16], causal: the output stays finite (float32) and exact (float64)."""
    q, k, v = _qkv(1, 4, 6, 16, dtype, seed=60, scale=40.0)
    got = candidate.alibi_attention(q, k, v, causal=True)
    expect_finite(got)
    if dtype == torch.float64:
        expect_close(got, _oracle(q, k, v, True))


def test_gradients(candidate, reference):
    """Gradients of the output reach q, k and v and equal the reference's (float64, [2, 3, 5, 4], causal)."""
    q, k, v = _qkv(2, 3, 5, 4, torch.float64, seed=70)
    check_gradients(candidate.alibi_attention, reference.alibi_attention, [q, k, v, True],
                    wrt=[0, 1, 2], names=["q", "k", "v"])


def test_inputs_not_modified(candidate):
    """The function leaves q, k and v exactly as it got them (bidirectional, [1, 2, 5, 4])."""
    q, k, v = _qkv(1, 2, 5, 4, torch.float64, seed=80)
    got = check_inputs_unchanged(candidate.alibi_attention, q, k, v, False, names=["q", "k", "v"])
    expect_close(got, _oracle(q, k, v, False))
