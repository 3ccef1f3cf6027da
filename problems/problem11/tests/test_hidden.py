"""Hidden checks for problem11 (multi-head attention layer). Run by the grader, never shown to learners.

The expected values come from torch.nn.MultiheadAttention itself (no biases,
batch_first), run here in the trusted process with the same weights: the
stacked in-projection is cat([w_q.T, w_k.T, w_v.T]) and the out-projection is
w_o.T. Its boolean attn_mask means True = NOT allowed, the inverse of ours, so
it gets ~mask expanded to [b * num_heads, m, n].
"""

import pytest
import torch

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, expect_raises,
    expect_true, randn,
)

DTYPES = [torch.float32, torch.float64]


def torch_mha(query, key, value, w_q, w_k, w_v, w_o, num_heads, mask=None):
    """The real module as the oracle: (output [b, m, d], per-head weights [b, h, m, n])."""
    b, m, d = query.shape
    n = key.shape[1]
    layer = torch.nn.MultiheadAttention(d, num_heads, bias=False, batch_first=True)
    layer = layer.to(query.dtype).eval()
    with torch.no_grad():
        layer.in_proj_weight.copy_(torch.cat([w_q.T, w_k.T, w_v.T]))
        layer.out_proj.weight.copy_(w_o.T)
        blocked = None if mask is None else (~mask.expand(b, num_heads, m, n)).reshape(
            b * num_heads, m, n)
        out, weights = layer(query, key, value, attn_mask=blocked, need_weights=True,
                             average_attn_weights=False)
    return out, weights


def _weights(d, dtype, seed, scale=None):
    s = d ** -0.5 if scale is None else scale
    return [randn(d, d, dtype=dtype, seed=seed + i, scale=s) for i in range(4)]


def _inputs(b, m, n, d, dtype, seed=0, scale=1.0, wscale=None, self_attention=False):
    query = randn(b, m, d, dtype=dtype, seed=seed, scale=scale)
    if self_attention:
        key = value = query
    else:
        key = randn(b, n, d, dtype=dtype, seed=seed + 1, scale=scale)
        value = randn(b, n, d, dtype=dtype, seed=seed + 2, scale=scale)
    return [query, key, value, *_weights(d, dtype, seed + 10, wscale)]


def _random_mask(*shape, seed):
    """A random boolean mask (True = may attend) with at least one allowed key in every row."""
    gen = torch.Generator().manual_seed(seed)
    mask = torch.rand(*shape, generator=gen) < 0.5
    rows, n = shape[-2], shape[-1]
    for i in range(rows):
        mask[..., i, i % n] = True
    return mask


def _padding_mask(lengths, n):
    """[b, 1, 1, n]: sequence i may attend to its first lengths[i] keys."""
    return (torch.arange(n)[None, :] < torch.tensor(lengths)[:, None])[:, None, None, :]


NAMES = ["query", "key", "value", "w_q", "w_k", "w_v", "w_o"]


def test_worked_example(candidate):
    """The statement's worked example: identity weights, d_model = 4, two heads, with and without the mask."""
    q = torch.tensor([[[1.0, 0.0, 1.0, 0.0], [0.0, 2.0, 0.0, 2.0]]])
    kv = torch.tensor([[[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0], [1.0, 1.0, 0.0, 0.0]]])
    eye = torch.eye(4)
    mask = torch.tensor([[True, True, False], [True, True, True]])
    expect_close(candidate.mha_forward(q, kv, kv, eye, eye, eye, eye, 2),
                 torch_mha(q, kv, kv, eye, eye, eye, eye, 2), what=["output", "weights"])
    expect_close(candidate.mha_forward(q, kv, kv, eye, eye, eye, eye, 2, mask),
                 torch_mha(q, kv, kv, eye, eye, eye, eye, 2, mask), what=["output", "weights"])


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("b,m,n,d,h,self_attn", [
    (2, 5, 7, 8, 2, False), (2, 6, 3, 12, 3, False), (3, 4, 4, 16, 4, True),
    (2, 3, 1, 8, 2, False), (1, 5, 5, 8, 1, True),
], ids=["cross-m<n", "cross-m>n", "self-4-heads", "n=1", "one-head"])
def test_matches_torch_module(candidate, b, m, n, d, h, self_attn, dtype):
    """Output [b, m, d_model] and per-head weights [b, h, m, n] equal torch.nn.MultiheadAttention's given the
    same weights."""
    args = _inputs(b, m, n, d, dtype, seed=100 * h + 10 * m + n, self_attention=self_attn)
    expect_close(candidate.mha_forward(*args, h), torch_mha(*args, h), what=["output", "weights"])


def test_heads_own_feature_slices(candidate):
    """With identity weights, head i attends with features [i*d_k, (i+1)*d_k) only, and fills those output
    features."""
    b, m, n, d, h = 1, 3, 4, 6, 3
    q, k, v = (randn(b, t, d, dtype=torch.float64, seed=s, scale=2.0)
               for t, s in ((m, 1), (n, 2), (n, 3)))
    eye = torch.eye(d, dtype=torch.float64)
    expect_close(candidate.mha_forward(q, k, v, eye, eye, eye, eye, h),
                 torch_mha(q, k, v, eye, eye, eye, eye, h), what=["output", "weights"])


MASKS = {
    "[m,n]": lambda b, h, m, n: _random_mask(m, n, seed=5),
    "[b,1,1,n]-padding": lambda b, h, m, n: _padding_mask([n, 2, 4][:b], n),
    "[b,h,m,n]": lambda b, h, m, n: _random_mask(b, h, m, n, seed=6),
    "[1,h,m,n]": lambda b, h, m, n: _random_mask(1, h, m, n, seed=7),
    "[b,1,m,n]": lambda b, h, m, n: _random_mask(b, 1, m, n, seed=8),
}


@pytest.mark.parametrize("shape", list(MASKS), ids=list(MASKS))
def test_mask_broadcasts(candidate, shape):
    """A boolean mask (True = may attend) of shape [m, n], [b, 1, 1, n], [b, h, m, n], [1, h, m, n] or [b, 1,
    m, n] broadcasts to [b, h, m, n] (float64, m = 4, n = 6)."""
    b, m, n, d, h = 3, 4, 6, 8, 2
    args = _inputs(b, m, n, d, torch.float64, seed=20)
    mask = MASKS[shape](b, h, m, n)
    expect_close(candidate.mha_forward(*args, h, mask), torch_mha(*args, h, mask),
                 what=["output", "weights"])


def test_mask_float32_causal(candidate):
    """A causal [n, n] mask in float32 self-attention: position i attends to positions j <= i only."""
    b, n, d, h = 2, 5, 12, 3
    args = _inputs(b, n, n, d, torch.float32, seed=30, self_attention=True)
    mask = torch.ones(n, n, dtype=torch.bool).tril()
    expect_close(candidate.mha_forward(*args, h, mask), torch_mha(*args, h, mask),
                 what=["output", "weights"])


def test_masked_weights_are_zero(candidate):
    """Where the mask is False the weight is exactly 0, and each head's weights sum to 1 over the allowed
    keys."""
    b, m, n, d, h = 2, 3, 5, 8, 4
    args = _inputs(b, m, n, d, torch.float64, seed=40)
    mask = _random_mask(b, h, m, n, seed=41)
    result = candidate.mha_forward(*args, h, mask)
    expect_true(isinstance(result, (tuple, list)) and len(result) == 2,
                "expected a pair (output, weights)")
    weights = result[1]
    expect_true(isinstance(weights, torch.Tensor) and weights.shape == (b, h, m, n),
                f"weights: expected a tensor of shape {(b, h, m, n)}, got "
                f"{tuple(weights.shape) if isinstance(weights, torch.Tensor) else type(weights).__name__}")
    expect_true(bool((weights[~mask] == 0).all()),
                "some masked positions (mask False) got a nonzero weight")
    expect_close(weights.sum(-1), torch.ones(b, h, m, dtype=torch.float64), what="weights summed over keys")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_large_scores_stay_finite(candidate, dtype):
    """Inputs and weights scaled so per-head dot products reach about 1e4: output and weights stay finite and
    correct."""
    args = _inputs(2, 6, 6, 16, dtype, seed=50, scale=6.0, wscale=3.0)
    out = candidate.mha_forward(*args, 4)
    expect_finite(out[0], "output")
    expect_finite(out[1], "weights")
    expect_close(out, torch_mha(*args, 4), what=["output", "weights"])


def _very_negative(b, m, n, d, h, dtype, seed):
    """Inputs whose per-head scaled scores all sit around -3e4, for every head.

    query and key get a feature 0 equal to 1 that only w_q / w_k row 0 reads, into
    feature 0 of each head's slice (+245 for queries, -245 for keys), so every score of
    every head gains -245^2 / sqrt(d_k): the softmax is unchanged.
    """
    args = _inputs(b, m, n, d, dtype, seed=seed)
    query, key, _, w_q, w_k = args[:5]
    query[..., 0], key[..., 0] = 1.0, 1.0
    starts = list(range(0, d, d // h))               # feature 0 of each head
    w_q[:, starts], w_k[:, starts] = 0.0, 0.0
    w_q[0, starts], w_k[0, starts] = 245.0, -245.0
    w_q[0, [j for j in range(d) if j not in starts]] = 0.0
    w_k[0, [j for j in range(d) if j not in starts]] = 0.0
    return args


def test_very_negative_scores_with_mask(candidate):
    """Every score of every head around -3e4 and a mask [b, h, m, n] (float64, b = 2, h = 2, m = 4, n = 6): masked keys still get weight exactly 0, the allowed keys share all of it, as in torch.nn.MultiheadAttention.

    Catches masked scores filled with a finite value such as -1e4: here the real scores
    are lower than the fill, so the masked keys take all the weight.
    """
    b, m, n, d, h = 2, 4, 6, 8, 2
    args = _very_negative(b, m, n, d, h, torch.float64, seed=55)
    mask = _random_mask(b, h, m, n, seed=56)
    expect_close(candidate.mha_forward(*args, h, mask), torch_mha(*args, h, mask),
                 what=["output", "weights"])


def test_very_negative_scores_with_mask_float32(candidate):
    """float32, every score around -3e4, mask [m, n] (b = 2, h = 2, m = 4, n = 6): output and weights are finite, masked weights are exactly 0 and each head's weights sum to 1."""
    b, m, n, d, h = 2, 4, 6, 8, 2
    args = _very_negative(b, m, n, d, h, torch.float32, seed=57)
    mask = _random_mask(m, n, seed=58)
    result = candidate.mha_forward(*args, h, mask)
    expect_true(isinstance(result, (tuple, list)) and len(result) == 2,
                "expected a pair (output, weights)")
    out, weights = result
    expect_finite(out, "output")
    expect_finite(weights, "weights")
    expect_true(isinstance(weights, torch.Tensor) and weights.shape == (b, h, m, n),
                f"weights: expected a tensor of shape {(b, h, m, n)}")
    leaked = weights[~mask.expand(b, h, m, n)]
    expect_true(bool((leaked == 0).all()), (
        f"{int((leaked != 0).sum())} masked positions have a non-zero weight "
        f"(largest {leaked.abs().max().item():.3g}); masked keys must get weight exactly 0, "
        f"however low the real scores are"))
    expect_close(weights.sum(-1), torch.ones(b, h, m), what="weights summed over keys")


@pytest.mark.parametrize("d,h", [(10, 4), (12, 5)], ids=["d_model=10,h=4", "d_model=12,h=5"])
def test_rejects_indivisible_heads(candidate, d, h):
    """d_model not divisible by num_heads: ValueError naming both numbers."""
    args = _inputs(2, 3, 3, d, torch.float32, seed=60)
    with expect_raises(ValueError, mentions=[str(d), str(h)]):
        candidate.mha_forward(*args, h)


@pytest.mark.parametrize("h", [0, -2], ids=["0heads", "-2heads"])
def test_rejects_fewer_than_one_head(candidate, h):
    """num_heads below 1 (0, and -2, which divides d_model = 8): ValueError naming the number of heads."""
    args = _inputs(2, 3, 3, 8, torch.float32, seed=61)
    with expect_raises(ValueError, mentions=[str(h)]):
        candidate.mha_forward(*args, h)


def test_inputs_not_modified(candidate):
    """The function leaves query, key, value, the four weight matrices and the mask exactly as it got them."""
    b, m, n, d, h = 2, 3, 4, 8, 2
    args = _inputs(b, m, n, d, torch.float64, seed=70)
    mask = _random_mask(m, n, seed=71)
    out = check_inputs_unchanged(candidate.mha_forward, *args, h, mask,
                                 names=NAMES + ["num_heads", "mask"])
    expect_close(out, torch_mha(*args, h, mask), what=["output", "weights"])


def test_gradients_flow(candidate, reference):
    """Gradients of the output reach query, key, value and all four weight matrices and equal the reference's
    (float64, masked)."""
    b, m, n, d, h = 2, 3, 4, 8, 2
    args = _inputs(b, m, n, d, torch.float64, seed=80)
    mask = _random_mask(b, 1, m, n, seed=81)
    check_gradients(candidate.mha_forward, reference.mha_forward, [*args, h, mask],
                    wrt=list(range(7)), output=0, names=NAMES)
