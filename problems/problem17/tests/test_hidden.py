"""Hidden checks for problem17 (online-softmax attention). Run by the grader, never shown to learners."""

import math

import pytest
import torch

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, expect_raises,
    expect_true, randn,
)

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]
MiB = 1024 * 1024


def _inputs(m, n, d, dv, dtype, seed=0, batch=(), scale=1.0):
    q = randn(*batch, m, d, dtype=dtype, seed=seed, scale=scale)
    k = randn(*batch, n, d, dtype=dtype, seed=seed + 1, scale=scale)
    v = randn(*batch, n, dv, dtype=dtype, seed=seed + 2)
    return q, k, v


def _full_attention(q, k, v):
    """Plain scaled dot-product attention with the whole score matrix (trusted side only)."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # [..., m, n]
    return torch.softmax(scores, dim=-1) @ v                   # [..., m, d_v]


def test_worked_example(candidate, reference):
    """The statement's worked example: one query [1, 4], three keys in chunks of 2, values [3, 2]."""
    q = torch.tensor([[1.0, 1.0, 1.0, 1.0]])
    k = torch.tensor([[0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
    v = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    expect_close(candidate.chunked_attention(q, k, v, 2), reference.chunked_attention(q, k, v, 2))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("chunk_size", [1, 3, 5, 10, 16],
                         ids=["chunk1", "chunk3", "chunk5", "chunk10", "chunk16>n"])
def test_matches_full_attention(candidate, chunk_size, dtype):
    """Queries [7, 6] over n = 10 keys, values [10, 4]: the output equals full scaled dot-product attention, whether or not chunk_size divides n (chunk sizes 1, 3, 5, 10 and 16 > n)."""
    q, k, v = _inputs(7, 10, 6, 4, dtype, seed=3 * chunk_size)
    expect_close(candidate.chunked_attention(q, k, v, chunk_size), _full_attention(q, k, v))


@pytest.mark.parametrize("m,n,chunk_size,dtype", [
    (3, 11, 4, torch.float64), (12, 5, 2, torch.float32), (1, 9, 4, torch.float64),
    (6, 1, 3, torch.float32),
], ids=["m<n", "m>n", "m=1", "n=1"])
def test_queries_and_keys_of_different_lengths(candidate, reference, m, n, chunk_size, dtype):
    """m queries and n keys of different lengths (3 x 11, 12 x 5, 1 x 9, 6 x 1): output [m, d_v]."""
    q, k, v = _inputs(m, n, 8, 3, dtype, seed=10 * m + n)
    expect_close(candidate.chunked_attention(q, k, v, chunk_size),
                 reference.chunked_attention(q, k, v, chunk_size))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_leading_batch_dimensions(candidate, reference, dtype):
    """Leading batch dimensions: q [2, 3, 5, 8], k [2, 3, 9, 8], v [2, 3, 9, 4], chunk_size 4, give [2, 3, 5, 4]."""
    q, k, v = _inputs(5, 9, 8, 4, dtype, seed=21, batch=(2, 3))
    expect_close(candidate.chunked_attention(q, k, v, 4), reference.chunked_attention(q, k, v, 4))


def test_later_chunk_raises_the_maximum(candidate, reference):
    """Each later chunk holds a key that outscores every earlier one, so the running sums must be rescaled as each chunk arrives."""
    q = randn(4, 6, dtype=torch.float64, seed=30)
    q[:, 0] = q[:, 0].abs() + 1.0                                     # every query likes feature 0
    k = randn(12, 6, dtype=torch.float64, seed=31)
    k[:, 0] += torch.arange(12, dtype=torch.float64)                  # so later keys score higher
    v = randn(12, 5, dtype=torch.float64, seed=32)
    expect_close(candidate.chunked_attention(q, k, v, 3), reference.chunked_attention(q, k, v, 3))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_large_scores_stay_finite(candidate, reference, dtype):
    """Scores around 1e4 (q and k scaled by 40, d = 8): no overflow, the output stays finite and correct."""
    q, k, v = _inputs(5, 10, 8, 4, dtype, seed=40, scale=40.0)
    out = candidate.chunked_attention(q, k, v, 3)
    expect_finite(out)
    expect_close(out, reference.chunked_attention(q, k, v, 3))


def _very_negative_rows(m, n, dtype, seed):
    """q [m, 8], k [n, 8], v [n, 3]: every query scores every key around -3.2e4 (all scores << 0)."""
    q, k, v = _inputs(m, n, 8, 3, dtype, seed=seed)
    q[:, 0] = -300.0                 # every query dislikes feature 0, which every key has:
    k[:, 0] = 300.0                  # each score drops by about 3.2e4, the softmax is unchanged
    return q, k, v


@pytest.mark.parametrize("m,n,chunk_size", [(5, 9, 4), (3, 1, 2)], ids=["n=9", "n=1"])
def test_rows_of_very_negative_scores(candidate, reference, m, n, chunk_size):
    """Rows whose scores are all around -3.2e4 (q [m, 8], k [n, 8], float64; 9 keys in chunks of 4, and one key): softmax ignores a shift of every score, so the output is finite and equals the reference, with no exp underflowing to 0 / 0.

    Catches a running maximum started at 0 (or at a finite guess such as -1e4) instead
    of -inf: it never drops to the row's real maximum, exp(score - 0) underflows to 0
    for every key, and 0 / 0 is NaN.
    """
    q, k, v = _very_negative_rows(m, n, torch.float64, seed=45 + n)
    out = candidate.chunked_attention(q, k, v, chunk_size)
    expect_finite(out)
    expect_close(out, reference.chunked_attention(q, k, v, chunk_size))


def test_rows_of_very_negative_scores_float32(candidate):
    """float32, q [5, 8] and k [9, 8] whose scores are all around -3.2e4, chunk_size 4: the output is finite (large float32 inputs are checked for finiteness only)."""
    q, k, v = _very_negative_rows(5, 9, torch.float32, seed=47)
    expect_finite(candidate.chunked_attention(q, k, v, 4))


@pytest.mark.parametrize("chunk_size", [0, -2], ids=["chunk0", "chunk-2"])
def test_rejects_chunk_size_below_one(candidate, chunk_size):
    """chunk_size 0 or negative: ValueError naming the chunk size."""
    q, k, v = _inputs(3, 6, 4, 2, torch.float32, seed=50)
    with expect_raises(ValueError, mentions=[str(chunk_size)]):
        candidate.chunked_attention(q, k, v, chunk_size)


def test_inputs_not_modified(candidate, reference):
    """The function leaves q, k and v exactly as it got them."""
    q, k, v = _inputs(4, 10, 6, 3, torch.float64, seed=60)
    out = check_inputs_unchanged(candidate.chunked_attention, q, k, v, 3,
                                 names=["q", "k", "v", "chunk_size"])
    expect_close(out, reference.chunked_attention(q, k, v, 3))


def test_gradients_flow(candidate, reference):
    """Gradients reach q, k and v through the chunked loop (n = 10, chunk_size 4) and equal the reference's (float64)."""
    q, k, v = _inputs(5, 10, 6, 3, torch.float64, seed=70)
    check_gradients(candidate.chunked_attention, reference.chunked_attention, [q, k, v, 4],
                    wrt=[0, 1, 2], names=["q", "k", "v"])


def test_long_sequence_in_little_memory(candidate, reference):
    """m = n = 8192, d = 64, float32, chunk_size 256: the output is right and the call's peak extra memory stays under 64 MiB, a quarter of the 256 MiB the full score matrix would take."""
    q, k, v = _inputs(8192, 8192, 64, 64, torch.float32, seed=80)
    out, peak = candidate.chunked_attention.with_peak_memory(q, k, v, 256)
    expect_close(out, reference.chunked_attention(q, k, v, 256))
    limit = 64 * MiB
    expect_true(peak < limit, (
        f"the call's peak extra memory was {peak / MiB:.0f} MiB, over the {limit // MiB} MiB "
        f"allowed; the full 8192 x 8192 score matrix alone is 256 MiB in float32. Hold the "
        f"scores of one chunk of keys at a time ([m, chunk_size]) and keep only the running "
        f"maximum, normaliser and weighted sum between chunks"))
