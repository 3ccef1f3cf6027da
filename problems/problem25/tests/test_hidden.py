"""Hidden checks for problem25 (cross-attention). Run by the grader, never shown to learners.

The expected values come from torch.nn.MultiheadAttention itself (no biases,
batch_first), run here in the trusted process with the same weights: the
stacked in-projection is cat([w_q.T, w_k.T, w_v.T]) and the out-projection is
w_o.T. It is called as layer(x, memory, memory, key_padding_mask=~memory_mask,
average_attn_weights=False): its key_padding_mask means True = padding, the
inverse of ours. Every case has m != n, so a transpose or a mask that only works
when the decoder and the encoder have the same length cannot pass.
"""

import pytest
import torch

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, expect_raises,
    expect_true, randn,
)

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]
NAMES = ["x", "memory", "w_q", "w_k", "w_v", "w_o"]


def torch_cross_attention(x, memory, w_q, w_k, w_v, w_o, num_heads, memory_mask=None):
    """The real module as the oracle: (output [b, m, d], per-head weights [b, h, m, n])."""
    d = x.shape[-1]
    layer = torch.nn.MultiheadAttention(d, num_heads, bias=False, batch_first=True)
    layer = layer.to(x.dtype).eval()
    with torch.no_grad():
        layer.in_proj_weight.copy_(torch.cat([w_q.T, w_k.T, w_v.T]))
        layer.out_proj.weight.copy_(w_o.T)
        padding = None if memory_mask is None else ~memory_mask
        return layer(x, memory, memory, key_padding_mask=padding, need_weights=True,
                     average_attn_weights=False)


def _inputs(b, m, n, d, dtype, seed=0, scale=1.0, wscale=None):
    """x [b, m, d], memory [b, n, d] and four [d, d] weights."""
    x = randn(b, m, d, dtype=dtype, seed=seed, scale=scale)
    memory = randn(b, n, d, dtype=dtype, seed=seed + 1, scale=scale)
    s = d ** -0.5 if wscale is None else wscale
    weights = [randn(d, d, dtype=dtype, seed=seed + 10 + i, scale=s) for i in range(4)]
    return [x, memory, *weights]


def _lengths_mask(lengths, n):
    """[b, n]: sequence i has lengths[i] real tokens, then padding (True = real token)."""
    return torch.arange(n)[None, :] < torch.tensor(lengths)[:, None]


def test_worked_example(candidate):
    """The statement's worked example: identity weights, d = 4, two heads, two decoder positions over three
    memory positions, with and without a mask that hides memory position 2."""
    x = torch.tensor([[[1.0, 0.0, 2.0, 0.0], [0.0, 1.0, 0.0, -1.0]]])
    memory = torch.tensor([[[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0], [1.0, 1.0, 1.0, 1.0]]])
    eye = torch.eye(4)
    mask = torch.tensor([[True, True, False]])
    args = [x, memory, eye, eye, eye, eye, 2]
    expect_close(candidate.cross_attention(*args), torch_cross_attention(*args),
                 what=["output", "weights"])
    expect_close(candidate.cross_attention(*args, mask), torch_cross_attention(*args, mask),
                 what=["output", "weights"])


CASES = {
    "m<n": (2, 3, 5, 8, 2),
    "m>n": (2, 6, 4, 12, 3),
    "n=1": (3, 4, 1, 8, 2),
    "one-head,b=1": (1, 2, 7, 8, 1),
    "m=1,4-heads": (2, 1, 6, 16, 4),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_matches_torch_module(candidate, case, dtype):
    """Without a mask, output [b, m, d] and per-head weights [b, h, m, n] equal torch.nn.MultiheadAttention's
    (x as the query, memory as key and value) for m < n, m > n, n = 1, one head with b = 1, and m = 1."""
    b, m, n, d, h = CASES[case]
    args = _inputs(b, m, n, d, dtype, seed=100 * h + 10 * m + n)
    expect_close(candidate.cross_attention(*args, h), torch_cross_attention(*args, h),
                 what=["output", "weights"])


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_padding_mask_matches_torch_module(candidate, dtype):
    """memory_mask [3, 6] for source lengths 6, 3 and 1 (True = real token), 4 decoder positions, 2 heads:
    equals torch.nn.MultiheadAttention with key_padding_mask = ~memory_mask."""
    b, m, n, d, h = 3, 4, 6, 8, 2
    args = _inputs(b, m, n, d, dtype, seed=20)
    mask = _lengths_mask([6, 3, 1], n)
    expect_close(candidate.cross_attention(*args, h, mask), torch_cross_attention(*args, h, mask),
                 what=["output", "weights"])


def test_scattered_mask_matches_torch_module(candidate):
    """A memory_mask [2, 7] with holes anywhere (not only at the end), 3 decoder positions, 4 heads (float64):
    equals torch.nn.MultiheadAttention with key_padding_mask = ~memory_mask."""
    b, m, n, d, h = 2, 3, 7, 16, 4
    args = _inputs(b, m, n, d, torch.float64, seed=25)
    mask = torch.tensor([[True, False, True, True, False, False, True],
                         [False, False, False, True, True, False, False]])
    expect_close(candidate.cross_attention(*args, h, mask), torch_cross_attention(*args, h, mask),
                 what=["output", "weights"])


def test_masked_memory_gets_zero_weight(candidate):
    """Where memory_mask is False the weight is exactly 0.0 for every query and head, and each query's weights
    sum to 1 over the real memory positions (b = 2, m = 3, n = 5, 4 heads)."""
    b, m, n, d, h = 2, 3, 5, 8, 4
    args = _inputs(b, m, n, d, torch.float64, seed=30)
    mask = _lengths_mask([3, 5], n)
    result = candidate.cross_attention(*args, h, mask)
    expect_true(isinstance(result, (tuple, list)) and len(result) == 2,
                "expected a pair (output, weights)")
    weights = result[1]
    expect_true(isinstance(weights, torch.Tensor) and tuple(weights.shape) == (b, h, m, n),
                f"weights: expected a tensor of shape {(b, h, m, n)}, got "
                f"{tuple(weights.shape) if isinstance(weights, torch.Tensor) else type(weights).__name__}")
    blocked = ~mask[:, None, None, :].expand(b, h, m, n)
    expect_true(bool((weights[blocked] == 0).all()),
                "some padded memory positions (memory_mask False) got a nonzero weight; padding "
                "must get exactly 0 for every query and every head")
    expect_close(weights.sum(-1), torch.ones(b, h, m, dtype=torch.float64),
                 what="weights summed over the memory")


def test_more_padding_changes_nothing(candidate):
    """Appending 3 padded positions to the memory [2, 4, 8] (memory_mask False there) leaves the output
    unchanged and only adds zero columns to the weights."""
    b, m, n, d, h = 2, 5, 4, 8, 2
    args = _inputs(b, m, n, d, torch.float64, seed=40)
    mask = _lengths_mask([4, 2], n)
    x, memory, *weights = args
    padded_memory = torch.cat([memory, randn(b, 3, d, dtype=torch.float64, seed=41)], dim=1)
    padded_mask = torch.cat([mask, torch.zeros(b, 3, dtype=torch.bool)], dim=1)
    out, att = torch_cross_attention(*args, h, mask)
    expected = (out, torch.cat([att, torch.zeros(b, h, m, 3, dtype=torch.float64)], dim=-1))
    expect_close(candidate.cross_attention(x, padded_memory, *weights, h, padded_mask), expected,
                 what=["output", "weights"])


def test_each_query_sees_all_memory(candidate):
    """No causal mask in cross-attention: decoding the 4 queries one at a time (x [2, 1, 8]) gives the same
    rows as all at once over memory [2, 6, 8]; every decoder position reads the whole source."""
    b, m, n, d, h = 2, 4, 6, 8, 2
    x, memory, *weights = _inputs(b, m, n, d, torch.float64, seed=50)
    out, att = torch_cross_attention(x, memory, *weights, h)
    for i in range(m):
        expect_close(candidate.cross_attention(x[:, i:i + 1], memory, *weights, h),
                     (out[:, i:i + 1], att[:, :, i:i + 1]),
                     what=[f"output of query {i} alone", f"weights of query {i} alone"])


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_large_scores(candidate, dtype):
    """Inputs and weights scaled so per-head dot products reach about 1e4 (b = 2, m = 3, n = 6, d = 16, 4
    heads, with padding): float64 output and weights equal torch's; float32 ones stay finite."""
    args = _inputs(2, 3, 6, 16, dtype, seed=60, scale=6.0, wscale=3.0)
    mask = _lengths_mask([6, 4], 6)
    out = candidate.cross_attention(*args, 4, mask)
    expect_true(isinstance(out, (tuple, list)) and len(out) == 2,
                "expected a pair (output, weights)")
    expect_finite(out[0], "output")
    expect_finite(out[1], "weights")
    if dtype == torch.float64:
        expect_close(out, torch_cross_attention(*args, 4, mask), what=["output", "weights"])


@pytest.mark.parametrize("d,h", [(10, 4), (12, 5)], ids=["d=10,h=4", "d=12,h=5"])
def test_rejects_indivisible_heads(candidate, d, h):
    """d not divisible by num_heads (x [2, 3, d], memory [2, 5, d]): ValueError naming both numbers."""
    args = _inputs(2, 3, 5, d, torch.float32, seed=70)
    with expect_raises(ValueError, mentions=[str(d), str(h)]):
        candidate.cross_attention(*args, h)


@pytest.mark.parametrize("h", [0, -2], ids=["0heads", "-2heads"])
def test_rejects_fewer_than_one_head(candidate, h):
    """num_heads below 1 (0 and -2, with d = 8): ValueError naming the number of heads."""
    args = _inputs(2, 3, 5, 8, torch.float32, seed=71)
    with expect_raises(ValueError, mentions=[str(h)]):
        candidate.cross_attention(*args, h)


def test_inputs_not_modified(candidate):
    """The function leaves x, memory, the four weight matrices and memory_mask exactly as it got them."""
    b, m, n, d, h = 2, 3, 4, 8, 2
    args = _inputs(b, m, n, d, torch.float64, seed=80)
    mask = _lengths_mask([4, 2], n)
    out = check_inputs_unchanged(candidate.cross_attention, *args, h, mask,
                                 names=NAMES + ["num_heads", "memory_mask"])
    expect_close(out, torch_cross_attention(*args, h, mask), what=["output", "weights"])


def test_gradients_flow(candidate, reference):
    """Gradients of the output reach x, memory and all four weight matrices and equal the reference's
    (float64, b = 2, m = 3, n = 5, with padding)."""
    b, m, n, d, h = 2, 3, 5, 8, 2
    args = _inputs(b, m, n, d, torch.float64, seed=90)
    mask = _lengths_mask([5, 3], n)
    check_gradients(candidate.cross_attention, reference.cross_attention, [*args, h, mask],
                    wrt=list(range(6)), output=0, names=NAMES)
