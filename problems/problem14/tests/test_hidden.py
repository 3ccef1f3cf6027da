"""Hidden checks for problem14 (transformer encoder layer). Run by the grader, never shown to learners.

The expected values come from torch.nn.TransformerEncoderLayer itself, loaded with
the same parameters and run here in the trusted process (eval mode, fast path off).
"""

import math

import pytest
import torch

from grader.checks import CheckFailure, check_gradients, expect_close, expect_finite, randn
from grader.results import FailureKind

DTYPES = [torch.float32, torch.float64]


def make_params(d, f, dtype, seed):
    """Random parameters under torch's state-dict names; non-trivial norm weights and biases."""
    s = 100 * seed
    return {
        "self_attn.in_proj_weight": randn(3 * d, d, dtype=dtype, seed=s + 1, scale=1 / math.sqrt(d)),
        "self_attn.in_proj_bias": randn(3 * d, dtype=dtype, seed=s + 2, scale=0.1),
        "self_attn.out_proj.weight": randn(d, d, dtype=dtype, seed=s + 3, scale=1 / math.sqrt(d)),
        "self_attn.out_proj.bias": randn(d, dtype=dtype, seed=s + 4, scale=0.1),
        "linear1.weight": randn(f, d, dtype=dtype, seed=s + 5, scale=1 / math.sqrt(d)),
        "linear1.bias": randn(f, dtype=dtype, seed=s + 6, scale=0.1),
        "linear2.weight": randn(d, f, dtype=dtype, seed=s + 7, scale=1 / math.sqrt(f)),
        "linear2.bias": randn(d, dtype=dtype, seed=s + 8, scale=0.1),
        "norm1.weight": 1 + randn(d, dtype=dtype, seed=s + 9, scale=0.5),
        "norm1.bias": randn(d, dtype=dtype, seed=s + 10, scale=0.5),
        "norm2.weight": 1 + randn(d, dtype=dtype, seed=s + 11, scale=0.5),
        "norm2.bias": randn(d, dtype=dtype, seed=s + 12, scale=0.5),
    }


def torch_module(params, num_heads, dtype):
    """The real torch layer, holding `params`, in eval mode."""
    d, f = params["linear1.weight"].shape[1], params["linear1.weight"].shape[0]
    layer = torch.nn.TransformerEncoderLayer(
        d, num_heads, dim_feedforward=f, dropout=0.0, activation="relu",
        batch_first=True, norm_first=False)
    if dtype == torch.float64:
        layer = layer.double()
    layer.load_state_dict(params)
    return layer.eval()


def torch_layer(x, params, num_heads, padding_mask=None):
    """torch.nn.TransformerEncoderLayer on x; our mask (True = real) inverted for torch."""
    layer = torch_module(params, num_heads, x.dtype)
    torch_mask = None if padding_mask is None else ~padding_mask
    previous = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)  # the plain math path, for exactness
    try:
        return layer(x, src_key_padding_mask=torch_mask)
    finally:
        torch.backends.mha.set_fastpath_enabled(previous)


def lengths_mask(lengths, n):
    """[b, n] bool, True for the first lengths[i] positions of sequence i."""
    return torch.arange(n)[None, :] < torch.tensor(lengths)[:, None]


def identity_params(d):
    eye = torch.eye(d)
    return {
        "self_attn.in_proj_weight": torch.cat([eye, eye, eye]),
        "self_attn.in_proj_bias": torch.zeros(3 * d),
        "self_attn.out_proj.weight": eye.clone(), "self_attn.out_proj.bias": torch.zeros(d),
        "linear1.weight": eye.clone(), "linear1.bias": torch.zeros(d),
        "linear2.weight": eye.clone(), "linear2.bias": torch.zeros(d),
        "norm1.weight": torch.ones(d), "norm1.bias": torch.zeros(d),
        "norm2.weight": torch.ones(d), "norm2.bias": torch.zeros(d),
    }


# (b, n, d, num_heads, f)
SHAPES = [(2, 5, 8, 2, 16), (3, 7, 12, 3, 20), (1, 1, 4, 1, 8), (4, 6, 16, 4, 8)]
SHAPE_IDS = ["b2-n5-d8-h2", "b3-n7-d12-h3", "n1-h1", "b4-d16-h4-f<d"]


def test_worked_example(candidate):
    """The statement's worked example: x [1, 3, 4], identity weights, 2 heads, last token padding."""
    x = torch.tensor([[[1.0, 0.0, 0.0, 0.0], [0.0, 2.0, 0.0, 0.0], [0.0, 0.0, 1.0, 3.0]]])
    params = identity_params(4)
    mask = torch.tensor([[True, True, False]])
    with torch.no_grad():
        expected = torch_layer(x, params, 2, mask)
    expect_close(candidate.encoder_layer(x, params, 2, mask), expected)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("b,n,d,h,f", SHAPES, ids=SHAPE_IDS)
def test_matches_torch_layer(candidate, b, n, d, h, f, dtype):
    """Without a padding mask, x [b, n, d] gives what torch.nn.TransformerEncoderLayer gives."""
    x = randn(b, n, d, dtype=dtype, seed=10 * b + n)
    params = make_params(d, f, dtype, seed=d + h)
    with torch.no_grad():
        expected = torch_layer(x, params, h)
    expect_close(candidate.encoder_layer(x, params, h), expected)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("lengths,d,h,f", [([5, 3], 8, 2, 16), ([6, 1, 4, 6], 12, 3, 24)],
                         ids=["b2-lengths-5-3", "b4-lengths-6-1-4-6"])
def test_padding_mask_matches_torch_layer(candidate, lengths, d, h, f, dtype):
    """With padding_mask [b, n] (True = real token), every position matches torch's layer given the inverted mask."""
    n = max(lengths)
    x = randn(len(lengths), n, d, dtype=dtype, seed=len(lengths))
    params = make_params(d, f, dtype, seed=7 + h)
    mask = lengths_mask(lengths, n)
    with torch.no_grad():
        expected = torch_layer(x, params, h, mask)
    expect_close(candidate.encoder_layer(x, params, h, mask), expected)


def test_all_real_mask_same_as_no_mask(candidate):
    """A padding_mask that is True everywhere (no padding) gives the same result as no mask."""
    x = randn(2, 4, 8, dtype=torch.float64, seed=21)
    params = make_params(8, 16, torch.float64, seed=21)
    with torch.no_grad():
        expected = torch_layer(x, params, 2)
    expect_close(candidate.encoder_layer(x, params, 2, torch.ones(2, 4, dtype=torch.bool)),
                 expected)


def test_extra_padding_does_not_change_real_tokens(candidate):
    """Appending 3 padding tokens with arbitrary content to x [2, 4, 8] leaves the 4 real positions' outputs unchanged."""
    x = randn(2, 4, 8, dtype=torch.float64, seed=22)
    junk = randn(2, 3, 8, dtype=torch.float64, seed=23, scale=5.0)
    params = make_params(8, 16, torch.float64, seed=22)
    padded = torch.cat([x, junk], dim=1)  # [2, 7, 8]
    mask = lengths_mask([4, 4], 7)
    with torch.no_grad():
        expected = torch_layer(x, params, 2)
    out = candidate.encoder_layer(padded, params, 2, mask)
    expect_close(out[:, :4] if isinstance(out, torch.Tensor) and out.dim() == 3 else out,
                 expected, what="output at the real positions")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_tiny_features_layer_norm_eps(candidate, dtype):
    """Tokens whose features are ~1e-3 (variance below the layer norm's eps 1e-5): the eps decides the output, as in torch."""
    x = randn(2, 5, 8, dtype=dtype, seed=31, scale=1e-3)
    params = make_params(8, 16, dtype, seed=31)
    params["self_attn.in_proj_bias"] = torch.zeros(24, dtype=dtype)
    params["self_attn.out_proj.bias"] = torch.zeros(8, dtype=dtype)
    with torch.no_grad():
        expected = torch_layer(x, params, 2)
    expect_close(candidate.encoder_layer(x, params, 2), expected)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_large_scores_stay_finite(candidate, dtype):
    """x scaled so the attention scores reach ~1e4: the output stays finite and matches torch."""
    x = randn(2, 6, 8, dtype=dtype, seed=41, scale=60.0)
    params = make_params(8, 16, dtype, seed=41)
    mask = lengths_mask([6, 4], 6)
    with torch.no_grad():
        expected = torch_layer(x, params, 2, mask)
    out = candidate.encoder_layer(x, params, 2, mask)
    expect_finite(out)
    expect_close(out, expected)


def very_negative_params(d, h, f, dtype, seed):
    """Parameters whose per-head attention scores, for x with feature 0 equal to 1, all sit around -3e4.

    Feature 0 of each head's slice of q is 245 * x[..., 0] and of k is -245 * x[..., 0]
    (no bias), so with x[..., 0] = 1 every score of every head gains -245^2 / sqrt(d/h):
    the softmax, and so the layer's output, is unchanged.
    """
    params = make_params(d, f, dtype, seed)
    w, bias = params["self_attn.in_proj_weight"], params["self_attn.in_proj_bias"]
    starts = list(range(0, d, d // h))
    for rows, sign in ((starts, 1.0), ([d + j for j in starts], -1.0)):
        w[rows], bias[rows] = 0.0, 0.0
        w[rows, 0] = sign * 245.0
    return params


def test_very_negative_scores_with_padding(candidate):
    """Every attention score around -3e4, with padding (float64, x [2, 6, 8], lengths 6 and 4, 2 heads): padded keys still get no weight, so the layer matches torch.

    Catches padded scores filled with a finite value such as -1e4: here the real scores
    are lower than the fill, so the padded keys take all the weight.
    """
    x = randn(2, 6, 8, dtype=torch.float64, seed=45)
    x[..., 0] = 1.0
    params = very_negative_params(8, 2, 16, torch.float64, seed=45)
    mask = lengths_mask([6, 4], 6)
    with torch.no_grad():
        expected = torch_layer(x, params, 2, mask)
    expect_close(candidate.encoder_layer(x, params, 2, mask), expected)


def test_very_negative_scores_extra_padding_float32(candidate):
    """float32, every attention score around -3e4: the output is finite, and appending 3 padding tokens of junk to x [2, 4, 8] leaves the 4 real positions' outputs unchanged."""
    x = randn(2, 4, 8, seed=47)
    junk = randn(2, 3, 8, seed=48, scale=5.0)
    x[..., 0], junk[..., 0] = 1.0, 1.0
    params = very_negative_params(8, 2, 16, torch.float32, seed=47)
    out_short = candidate.encoder_layer(x, params, 2, lengths_mask([4, 4], 4))
    out_long = candidate.encoder_layer(torch.cat([x, junk], dim=1), params, 2,
                                       lengths_mask([4, 4], 7))
    expect_finite(out_short)
    expect_close(out_long[:, :4] if isinstance(out_long, torch.Tensor) and out_long.dim() == 3
                 else out_long, out_short, what="output at the real positions, longer padding")


def test_inputs_not_modified(candidate):
    """The layer leaves x, padding_mask and every tensor in params exactly as it got them."""
    x = randn(2, 5, 8, dtype=torch.float64, seed=51)
    params = make_params(8, 16, torch.float64, seed=51)
    mask = lengths_mask([5, 2], 5)
    # Everything but x goes by keyword: the diagnosis replays the positional inputs
    # after the call and cannot compare a dict there (grader.compare.agree).
    out, after, after_kw = candidate.encoder_layer.with_inputs_after(
        x, params=params, num_heads=2, padding_mask=mask)
    changed = []
    if not (after and isinstance(after[0], torch.Tensor) and torch.equal(after[0], x)):
        changed.append("x")
    got_mask = after_kw.get("padding_mask")
    if not (isinstance(got_mask, torch.Tensor) and torch.equal(got_mask, mask)):
        changed.append("padding_mask")
    got = after_kw.get("params") if isinstance(after_kw.get("params"), dict) else {}
    changed += [f"params[{k!r}]" for k, v in params.items()
                if not (isinstance(got.get(k), torch.Tensor) and torch.equal(got[k], v))]
    if changed:
        raise CheckFailure(FailureKind.MODIFIED_INPUT, (
            f"your function changed {', '.join(changed)} in place; work on new tensors instead "
            "(avoid in-place operations such as x += ..., w.t_(), masked_fill_)"))
    with torch.no_grad():
        expected = torch_layer(x, params, 2, mask)
    expect_close(out, expected)


@pytest.mark.parametrize("masked", [False, True], ids=["no-mask", "padding-mask"])
def test_gradients_to_x(candidate, masked):
    """Gradients flow back to x [3, 5, 8] and equal those of torch's layer (float64)."""
    x = randn(3, 5, 8, dtype=torch.float64, seed=61)
    params = make_params(8, 12, torch.float64, seed=61)
    mask = lengths_mask([5, 3, 1], 5) if masked else None

    def oracle(x, params, num_heads, padding_mask):
        return torch_layer(x, params, num_heads, padding_mask)

    check_gradients(candidate.encoder_layer, oracle, [x, params, 2, mask], wrt=[0], names=["x"])
