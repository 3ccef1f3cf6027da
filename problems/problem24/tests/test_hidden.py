"""Hidden checks for problem24 (T5 relative position bias). Run by the grader, never shown to learners.

The buckets are checked against `_t5_bucket` below, an independent transcription
of T5's own code (Hugging Face's `T5Attention._relative_position_bucket`, adapted
from Mesh TensorFlow), which takes the logarithm in float32 and truncates with
`.to(torch.long)`. The configurations used here were chosen so that float32,
float64 and exact rational arithmetic all give the same buckets (no offset whose
log ratio is an exact integer other than at powers of two). The bias is checked
against `_t5_compute_bias`, a transcription of `T5Attention.compute_bias`
(embedding lookup, then permute([2, 0, 1])).
"""

import math

import pytest
import torch

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_raises, expect_true, randn,
)


def _t5_bucket(relative_position, bidirectional=True, num_buckets=32, max_distance=128):
    """Hugging Face's T5Attention._relative_position_bucket, transcribed."""
    relative_buckets = 0
    if bidirectional:
        num_buckets //= 2
        relative_buckets += (relative_position > 0).to(torch.long) * num_buckets
        relative_position = torch.abs(relative_position)
    else:
        relative_position = -torch.min(relative_position, torch.zeros_like(relative_position))
    max_exact = num_buckets // 2
    is_small = relative_position < max_exact
    relative_position_if_large = max_exact + (
        torch.log(relative_position.float() / max_exact)
        / math.log(max_distance / max_exact)
        * (num_buckets - max_exact)
    ).to(torch.long)
    relative_position_if_large = torch.min(
        relative_position_if_large, torch.full_like(relative_position_if_large, num_buckets - 1))
    relative_buckets += torch.where(is_small, relative_position, relative_position_if_large)
    return relative_buckets


def _t5_compute_bias(m, n, table, bidirectional=True, max_distance=128):
    """Hugging Face's T5Attention.compute_bias without the batch axis: [h, m, n]."""
    context_position = torch.arange(m, dtype=torch.long)[:, None]
    memory_position = torch.arange(n, dtype=torch.long)[None, :]
    relative_position = memory_position - context_position  # key_pos - query_pos
    buckets = _t5_bucket(relative_position, bidirectional, table.shape[0], max_distance)
    values = torch.nn.functional.embedding(buckets, table)  # [m, n, h]
    return values.permute([2, 0, 1])


OFFSETS = torch.arange(-300, 301)


def test_worked_example(candidate, reference):
    """The statement's worked example: t5_position_bias(3, 5, table) with table[b] = [b, -b] (32 buckets, 2 heads)."""
    table = torch.arange(32.0)[:, None] * torch.tensor([1.0, -1.0])
    expect_close(candidate.t5_position_bias(3, 5, table), reference.t5_position_bias(3, 5, table))


@pytest.mark.parametrize("bidirectional", [True, False], ids=["bidirectional", "causal"])
def test_buckets_default(candidate, bidirectional):
    """relative_position_bucket on every offset from -300 to 300 with the defaults (32 buckets, max_distance 128) equals T5's bucketing, an int64 [601]."""
    expect_close(candidate.relative_position_bucket(OFFSETS, bidirectional),
                 _t5_bucket(OFFSETS, bidirectional), what="buckets")


@pytest.mark.parametrize("bidirectional,offsets", [
    (True, [-9, -8, -7, -1, 0, 1, 7, 8, 9]),
    (True, [-129, -128, -127, -91, -90, 90, 91, 127, 128, 129]),
    (False, [-17, -16, -15, -1, 0, 1, 15, 16, 17]),
    (False, [-129, -128, -127, -113, -112, 112, 128, 129]),
], ids=["bidirectional,max_exact=8", "bidirectional,max_distance", "causal,max_exact=16",
        "causal,max_distance"])
def test_buckets_at_the_boundaries(candidate, bidirectional, offsets):
    """Offsets just below, at and above max_exact (8 bidirectional, 16 causal) and around max_distance = 128, in both directions: the last exact bucket, the first log bucket, and the cap at num_buckets - 1."""
    rel = torch.tensor(offsets)
    expect_close(candidate.relative_position_bucket(rel, bidirectional, 32, 128),
                 _t5_bucket(rel, bidirectional, 32, 128), what="buckets")


@pytest.mark.parametrize("bidirectional,num_buckets,max_distance", [
    (True, 8, 20), (False, 64, 256), (True, 33, 100), (False, 12, 50), (False, 32, 20),
], ids=["bi,8,20", "causal,64,256", "bi,33,100", "causal,12,50", "causal,32,20"])
def test_buckets_other_sizes(candidate, bidirectional, num_buckets, max_distance):
    """Other sizes (num_buckets, max_distance) = (8, 20), (64, 256), (33, 100) (odd: 16 per direction), (12, 50), (32, 20) on offsets -300..300: still T5's bucketing."""
    expect_close(candidate.relative_position_bucket(OFFSETS, bidirectional, num_buckets, max_distance),
                 _t5_bucket(OFFSETS, bidirectional, num_buckets, max_distance), what="buckets")


def test_buckets_keep_shape_int32_input(candidate):
    """A 2-D int32 input [6, 7] of offsets gives int64 buckets of the same shape [6, 7]."""
    rel = (torch.arange(7)[None, :] * 13 - torch.arange(6)[:, None] * 29).to(torch.int32)
    got = candidate.relative_position_bucket(rel)
    expect_close(got, _t5_bucket(rel.long()), what="buckets")


@pytest.mark.parametrize("bidirectional,num_buckets,max_distance", [
    (True, 32, 8), (True, 32, 6), (False, 32, 16),
], ids=["bi,max_distance=max_exact=8", "bi,max_distance=6<8", "causal,max_distance=max_exact=16"])
def test_buckets_reject_short_max_distance(candidate, bidirectional, num_buckets, max_distance):
    """max_distance <= max_exact (8 of 32 buckets bidirectional, 16 causal) raises ValueError naming max_distance: the log scale would be empty or run backwards."""
    with expect_raises(ValueError, mentions=[str(max_distance)]):
        candidate.relative_position_bucket(OFFSETS, bidirectional, num_buckets, max_distance)


def test_bias_rejects_short_max_distance(candidate):
    """t5_position_bias(4, 4, table [16, 2], max_distance=3) raises ValueError naming 3 (max_exact is 4 with 8 buckets per direction)."""
    with expect_raises(ValueError, mentions=["3"]):
        candidate.t5_position_bias(4, 4, randn(16, 2, seed=1), True, 3)


@pytest.mark.parametrize("m,n,bidirectional", [(5, 9, True), (9, 5, True), (6, 11, False)],
                         ids=["m<n,bi", "m>n,bi", "m<n,causal"])
def test_bias_layout(candidate, m, n, bidirectional):
    """t5_position_bias(m, n, table [32, 4]) for m != n (5 x 9, 9 x 5, 6 x 11) returns [h, m, n] = [4, m, n] with bias[head, i, j] = table[bucket(j - i), head]."""
    table = randn(32, 4, dtype=torch.float64, seed=m * n)
    expect_close(candidate.t5_position_bias(m, n, table, bidirectional),
                 _t5_compute_bias(m, n, table, bidirectional))


@pytest.mark.parametrize("bidirectional", [True, False], ids=["bidirectional", "causal"])
def test_bias_long_sequences(candidate, bidirectional):
    """200 queries over 300 keys (offsets up to 299, past max_distance) with table [32, 2], float32."""
    table = randn(32, 2, dtype=torch.float32, seed=40)
    expect_close(candidate.t5_position_bias(200, 300, table, bidirectional),
                 _t5_compute_bias(200, 300, table, bidirectional))


@pytest.mark.parametrize("m,n", [(1, 7), (7, 1)], ids=["one query", "one key"])
def test_bias_one_query_or_key(candidate, m, n):
    """One query over 7 keys ([h, 1, 7]) and 7 queries over one key ([h, 7, 1]), one head: table [32, 1]."""
    table = randn(32, 1, dtype=torch.float64, seed=50)
    expect_close(candidate.t5_position_bias(m, n, table), _t5_compute_bias(m, n, table))


def test_bias_max_distance_passed_on(candidate):
    """max_distance is used: 16 buckets (8 per direction, max_exact 4) with max_distance=20 over 12 x 40 positions."""
    table = randn(16, 3, dtype=torch.float64, seed=60)
    expect_close(candidate.t5_position_bias(12, 40, table, True, 20),
                 _t5_compute_bias(12, 40, table, True, 20))


def test_bias_is_unscaled(candidate):
    """The bias is the table entry itself, not divided by anything: with every entry of table [32, 2] equal to 8.0, every bias is exactly 8.0."""
    table = torch.full((32, 2), 8.0, dtype=torch.float64)
    got = candidate.t5_position_bias(3, 4, table)
    expect_close(got, torch.full((2, 3, 4), 8.0, dtype=torch.float64))


def test_gradient_reaches_table(candidate, reference):
    """Gradients of the bias reach the table [32, 3] (float64): each entry collects the gradient of every (i, j) in its bucket."""
    table = randn(32, 3, dtype=torch.float64, seed=70)
    check_gradients(candidate.t5_position_bias, reference.t5_position_bias, [10, 14, table],
                    wrt=[2], names=["table"])


def test_inputs_not_modified(candidate):
    """The functions leave the offsets and the table exactly as they got them."""
    table = randn(32, 2, dtype=torch.float64, seed=80)
    got = check_inputs_unchanged(candidate.t5_position_bias, 4, 6, table, names=["m", "n", "table"])
    expect_close(got, _t5_compute_bias(4, 6, table))
    rel = torch.arange(-20, 21)
    got = check_inputs_unchanged(candidate.relative_position_bucket, rel, names=["relative_position"])
    expect_true(isinstance(got, torch.Tensor), "relative_position_bucket must return a tensor")
    expect_close(got, _t5_bucket(rel), what="buckets")
