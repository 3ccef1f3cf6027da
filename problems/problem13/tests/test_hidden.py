"""Hidden checks for problem13 (BERT self-attention with a padding mask).

Run by the grader, never shown to learners.

Values are compared with torch.nn.MultiheadAttention (no biases, batch_first)
run here in the trusted process with the same weights (in_proj_weight =
cat([w_q.T, w_k.T, w_v.T]), out_proj.weight = w_o.T) and
key_padding_mask = (attention_mask == 0), torch's "True = ignore" convention.
"""

import pytest
import torch

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, expect_true, randn,
)

DTYPES = [torch.float32, torch.float64]
MASK_KINDS = ["int", "bool"]
NAMES = ["hidden", "attention_mask", "w_q", "w_k", "w_v", "w_o"]


def torch_bert_attention(hidden, attention_mask, w_q, w_k, w_v, w_o, num_heads):
    """The real module as the oracle: self-attention with torch's key_padding_mask."""
    d = hidden.shape[-1]
    layer = torch.nn.MultiheadAttention(d, num_heads, bias=False, batch_first=True)
    layer = layer.to(hidden.dtype).eval()
    with torch.no_grad():
        layer.in_proj_weight.copy_(torch.cat([w_q.T, w_k.T, w_v.T]))
        layer.out_proj.weight.copy_(w_o.T)
        out, _ = layer(hidden, hidden, hidden, key_padding_mask=(attention_mask == 0),
                       need_weights=True)
    return out


def _mask(lengths, n, kind):
    """[b, n]: 1 for the first lengths[i] positions of sequence i, 0 (padding) after."""
    real = torch.arange(n)[None, :] < torch.tensor(lengths)[:, None]
    return real if kind == "bool" else real.long()


def _weights(d, dtype, seed, scale=None):
    s = d ** -0.5 if scale is None else scale
    return [randn(d, d, dtype=dtype, seed=seed + i, scale=s) for i in range(4)]


def _hidden(lengths, n, d, dtype, seed, scale=1.0, junk=5.0):
    """Real tokens ~ N(0, scale); padding positions hold junk ~ N(0, junk), as a real batch might."""
    x = randn(len(lengths), n, d, dtype=dtype, seed=seed, scale=scale)
    pad = ~_mask(lengths, n, "bool")
    return torch.where(pad[..., None], randn(len(lengths), n, d, dtype=dtype, seed=seed + 1,
                                             scale=junk), x)


def test_worked_example(candidate):
    """The statement's worked example: two sequences of 3 positions, the second with one padding token
    holding 9s."""
    hidden = torch.tensor([[[1.0, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]],
                           [[1.0, 0, 1, 0], [0, 1, 0, 1], [9, 9, 9, 9]]])
    mask = torch.tensor([[1, 1, 1], [1, 1, 0]])
    eye = torch.eye(4)
    args = [hidden, mask, eye, eye, eye, eye, 2]
    expect_close(candidate.bert_self_attention(*args), torch_bert_attention(*args))


@pytest.mark.parametrize("kind", MASK_KINDS)
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_different_lengths(candidate, dtype, kind):
    """Four sequences with 5, 2, 7 and 1 real tokens padded to n = 7 ([4, 7, 12], 3 heads): equal to
    torch.nn.MultiheadAttention with a key padding mask."""
    lengths, n, d, h = [5, 2, 7, 1], 7, 12, 3
    args = [_hidden(lengths, n, d, dtype, seed=1), _mask(lengths, n, kind),
            *_weights(d, dtype, seed=10), h]
    expect_close(candidate.bert_self_attention(*args), torch_bert_attention(*args))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_no_padding(candidate, dtype):
    """A batch with no padding at all (mask all 1, [2, 6, 8], 2 heads) is plain multi-head self-attention."""
    lengths, n, d, h = [6, 6], 6, 8, 2
    args = [randn(2, n, d, dtype=dtype, seed=20), _mask(lengths, n, "int"),
            *_weights(d, dtype, seed=21), h]
    expect_close(candidate.bert_self_attention(*args), torch_bert_attention(*args))


@pytest.mark.parametrize("kind", MASK_KINDS)
def test_more_padding_changes_nothing(candidate, kind):
    """Appending 4 more padding positions filled with random junk leaves the outputs at the real positions
    unchanged (float64)."""
    lengths, n, extra, d, h = [3, 5], 5, 4, 8, 2
    w = _weights(d, torch.float64, seed=30)
    short = _hidden(lengths, n, d, torch.float64, seed=31)
    junk = randn(2, extra, d, dtype=torch.float64, seed=32, scale=5.0)
    longer = torch.cat([short, junk], dim=1)
    out_short = candidate.bert_self_attention(short, _mask(lengths, n, kind), *w, h)
    out_long = candidate.bert_self_attention(longer, _mask(lengths, n + extra, kind), *w, h)
    for out, length in ((out_short, n), (out_long, n + extra)):
        expect_true(isinstance(out, torch.Tensor) and out.shape == (2, length, d),
                    f"expected an output of shape {(2, length, d)}, got "
                    f"{tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__}")
    for i, length in enumerate(lengths):
        expect_close(out_long[i, :length], out_short[i, :length],
                     what=f"output of sequence {i} at its {length} real positions, longer padding")


def test_sequences_independent(candidate, reference):
    """Each sequence of a padded batch gets the output it would get alone: lengths 2, 6, 4 use their own
    masks (float64)."""
    lengths, n, d, h = [2, 6, 4], 6, 8, 4
    w = _weights(d, torch.float64, seed=40)
    hidden = _hidden(lengths, n, d, torch.float64, seed=41)
    mask = _mask(lengths, n, "int")
    out = candidate.bert_self_attention(hidden, mask, *w, h)
    alone = torch.cat([reference.bert_self_attention(hidden[i:i + 1], mask[i:i + 1], *w, h)
                       for i in range(len(lengths))])
    expect_close(out, alone)


def test_single_position(candidate):
    """Sequences of a single real token (n = 1, [3, 1, 8]): each output is that token's value projection
    times w_o."""
    d, h = 8, 2
    args = [randn(3, 1, d, dtype=torch.float64, seed=50), _mask([1, 1, 1], 1, "bool"),
            *_weights(d, torch.float64, seed=51), h]
    expect_close(candidate.bert_self_attention(*args), torch_bert_attention(*args))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_large_scores_stay_finite(candidate, dtype):
    """Hidden states and weights scaled so dot products reach about 1e4, with padding: the output stays
    finite and correct."""
    lengths, n, d, h = [6, 3], 6, 16, 4
    args = [_hidden(lengths, n, d, dtype, seed=60, scale=6.0, junk=6.0), _mask(lengths, n, "int"),
            *_weights(d, dtype, seed=61, scale=3.0), h]
    out = candidate.bert_self_attention(*args)
    expect_finite(out)
    expect_close(out, torch_bert_attention(*args))


def _very_negative(lengths, n, d, h, dtype, seed):
    """hidden [b, n, d] (junk at the padding) and weights whose per-head scaled scores all sit around -3e4.

    Every position's feature 0 is 1, and only w_q / w_k row 0 read it, into feature 0 of
    each head's slice (+245 for queries, -245 for keys): every score of every head gains
    -245^2 / sqrt(d_k), and the softmax is unchanged.
    """
    hidden = _hidden(lengths, n, d, dtype, seed=seed)
    hidden[..., 0] = 1.0
    w_q, w_k, w_v, w_o = _weights(d, dtype, seed=seed + 5)
    starts = list(range(0, d, d // h))               # feature 0 of each head
    w_q[:, starts], w_k[:, starts] = 0.0, 0.0
    w_q[0], w_k[0] = 0.0, 0.0
    w_q[0, starts], w_k[0, starts] = 245.0, -245.0
    return hidden, [w_q, w_k, w_v, w_o]


def test_very_negative_scores(candidate):
    """Every score of every head around -3e4, with padding (float64, lengths 6 and 3 padded to 6, [2, 6, 8], 2 heads): padding keys still get no weight, equal to torch.nn.MultiheadAttention.

    Catches padding scores filled with a finite value such as -1e4: here the real scores
    are lower than the fill, so the padding keys take all the weight.
    """
    lengths, n, d, h = [6, 3], 6, 8, 2
    hidden, w = _very_negative(lengths, n, d, h, torch.float64, seed=62)
    args = [hidden, _mask(lengths, n, "int"), *w, h]
    expect_close(candidate.bert_self_attention(*args), torch_bert_attention(*args))


def test_very_negative_scores_more_padding_float32(candidate):
    """float32, every score around -3e4 (lengths 3 and 5, [2, 5, 8], 2 heads): the output is finite, and appending 3 padding positions of junk leaves the real positions' outputs unchanged."""
    lengths, n, extra, d, h = [3, 5], 5, 3, 8, 2
    short, w = _very_negative(lengths, n, d, h, torch.float32, seed=64)
    junk = randn(2, extra, d, seed=66, scale=5.0)
    junk[..., 0] = 1.0
    longer = torch.cat([short, junk], dim=1)
    out_short = candidate.bert_self_attention(short, _mask(lengths, n, "bool"), *w, h)
    out_long = candidate.bert_self_attention(longer, _mask(lengths, n + extra, "bool"), *w, h)
    expect_finite(out_short)
    for out, length in ((out_short, n), (out_long, n + extra)):
        expect_true(isinstance(out, torch.Tensor) and out.shape == (2, length, d),
                    f"expected an output of shape {(2, length, d)}, got "
                    f"{tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__}")
    for i, length in enumerate(lengths):
        expect_close(out_long[i, :length], out_short[i, :length],
                     what=f"output of sequence {i} at its {length} real positions, longer padding")


def test_inputs_not_modified(candidate):
    """The function leaves hidden, attention_mask and the four weight matrices exactly as it got them."""
    lengths, n, d, h = [4, 2], 4, 8, 2
    args = [_hidden(lengths, n, d, torch.float64, seed=70), _mask(lengths, n, "int"),
            *_weights(d, torch.float64, seed=71)]
    out = check_inputs_unchanged(candidate.bert_self_attention, *args, h, names=NAMES + ["num_heads"])
    expect_close(out, torch_bert_attention(*args, h))


@pytest.mark.parametrize("kind", MASK_KINDS)
def test_gradients_flow(candidate, reference, kind):
    """Gradients reach hidden and all four weight matrices and equal the reference's
    (float64, with padding)."""
    lengths, n, d, h = [4, 2], 4, 8, 2
    args = [_hidden(lengths, n, d, torch.float64, seed=80), _mask(lengths, n, kind),
            *_weights(d, torch.float64, seed=81), h]
    check_gradients(candidate.bert_self_attention, reference.bert_self_attention, args,
                    wrt=[0, 2, 3, 4, 5], names=["hidden", "w_q", "w_k", "w_v", "w_o"])
