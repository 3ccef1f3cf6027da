"""Hidden checks for problem31 (left-padded batch attention). Run by the grader, never shown to learners.

The expected attention outputs come from problem12's reference solution
(solutions/problem12.py, loaded by path): its causal_self_attention runs on each
sequence alone, without its padding, and the padded positions are expected to be
exactly 0. Position ids are checked against a plain count over each row.
"""

import importlib.util
from pathlib import Path

import pytest
import torch

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, expect_raises,
    expect_true, randn,
)
from grader.results import FailureKind

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]
PROBLEM12 = Path(__file__).resolve().parents[3] / "solutions" / "problem12.py"


@pytest.fixture(scope="module")
def problem12():
    """problem12's reference solution: causal_self_attention on one unpadded sequence."""
    spec = importlib.util.spec_from_file_location("_problem31_uses_problem12", PROBLEM12)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _mask(lengths, n, dtype=torch.bool):
    """Left padding: row i has n - lengths[i] zeros, then lengths[i] ones."""
    real = torch.arange(n) >= n - torch.tensor(lengths)[:, None]      # [b, n]
    return real if dtype == torch.bool else real.to(dtype)


def _layer(b, n, d, dtype, seed=0, scale=1.0):
    x = randn(b, n, d, dtype=dtype, seed=seed, scale=scale)
    w_qkv = randn(d, 3 * d, dtype=dtype, seed=seed + 1, scale=d ** -0.5)
    w_o = randn(d, d, dtype=dtype, seed=seed + 2, scale=d ** -0.5)
    return x, w_qkv, w_o


def _expected(problem12, x, mask, w_qkv, w_o, h):
    """problem12 on each sequence without its padding; zeros at the padded positions."""
    out = torch.zeros_like(x)
    for i, real in enumerate(mask.bool()):
        start = int((~real).sum())
        out[i, start:] = problem12.causal_self_attention(x[i:i + 1, start:], w_qkv, w_o, h)[0]
    return out


def _positions(mask):
    """A plain count: 0 on the padding, then 0, 1, 2, ... from the first real token."""
    rows = []
    for real in mask.bool().tolist():
        count, row = 0, []
        for is_real in real:
            row.append(count if is_real else 0)
            count += int(is_real)
        rows.append(row)
    return torch.tensor(rows, dtype=torch.int64)


# --- position_ids -------------------------------------------------------------------


def test_position_ids_worked_example(candidate):
    """The statement's worked example: mask [[0, 0, 1, 1, 1], [1, 1, 1, 1, 1], [0, 0, 0, 0, 1]] gives [[0, 0, 0, 1, 2], [0, 1, 2, 3, 4], [0, 0, 0, 0, 0]]."""
    mask = torch.tensor([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1], [0, 0, 0, 0, 1]])
    expect_close(candidate.position_ids(mask), _positions(mask))


@pytest.mark.parametrize("mask_dtype", [torch.bool, torch.int64, torch.int32],
                         ids=["bool", "int64 0/1", "int32 0/1"])
def test_position_ids(candidate, mask_dtype):
    """position_ids of a left-padded mask [4, 7] (lengths 7, 4, 1, 6) as bool or 0/1 integers: int64 [4, 7], 0 at the padding, counting from 0 at each first real token."""
    mask = _mask([7, 4, 1, 6], 7, mask_dtype)
    expect_close(candidate.position_ids(mask), _positions(mask))


def test_position_ids_long_prompts(candidate):
    """Long rows [2, 300] (lengths 300 and 130): the last real token of the second row is at position 129, and its 170 padded positions are all 0."""
    mask = _mask([300, 130], 300, torch.int64)
    expect_close(candidate.position_ids(mask), _positions(mask))


def test_position_ids_rejects_right_padding(candidate):
    """A row padded on the right (row 2 of [[0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]]): ValueError naming row 2."""
    mask = torch.tensor([[0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]])
    with expect_raises(ValueError, mentions=["2"]):
        candidate.position_ids(mask)


def test_position_ids_rejects_empty_row(candidate):
    """A row with no real token (row 3 of a [4, 5] bool mask): ValueError naming row 3."""
    mask = _mask([5, 2, 4, 1], 5)
    mask[3] = False
    with expect_raises(ValueError, mentions=["3"]):
        candidate.position_ids(mask)


# --- left_padded_causal_attention ---------------------------------------------------------


def test_attention_worked_example(candidate, problem12):
    """The statement's worked example: x [2, 4, 2] with one and two padded positions (pad embeddings [5, 5]), w_qkv = [I | I | I], w_o = I, one head."""
    x = torch.tensor([[[5., 5.], [1., 0.], [0., 1.], [1., 1.]],
                      [[5., 5.], [5., 5.], [0., 1.], [2., 0.]]])
    mask = torch.tensor([[0, 1, 1, 1], [0, 0, 1, 1]])
    eye = torch.eye(2)
    w_qkv = torch.cat([eye, eye, eye], dim=1)
    expect_close(candidate.left_padded_causal_attention(x, mask, w_qkv, eye, 1),
                 _expected(problem12, x, mask, w_qkv, eye, 1))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("lengths,n,d,h", [
    ([6, 4, 1], 6, 8, 2), ([3, 7], 7, 12, 3), ([2], 5, 8, 1),
], ids=["lengths 6,4,1,h=2", "lengths 3,7,h=3", "batch of one,one head"])
def test_matches_problem12_per_sequence(candidate, problem12, lengths, n, d, h, dtype):
    """x [b, n, d] with left padding: the outputs at each sequence's real positions equal problem12's causal_self_attention on that sequence alone without its padding, and the padded positions are 0."""
    x, w_qkv, w_o = _layer(len(lengths), n, d, dtype, seed=10 * n + h)
    mask = _mask(lengths, n)
    expect_close(candidate.left_padded_causal_attention(x, mask, w_qkv, w_o, h),
                 _expected(problem12, x, mask, w_qkv, w_o, h))


def test_padded_outputs_exactly_zero(candidate):
    """The outputs at padded positions are exactly 0.0, not NaN and not merely small (x [3, 6, 8], lengths 6, 3, 1)."""
    x, w_qkv, w_o = _layer(3, 6, 8, torch.float32, seed=21)
    mask = _mask([6, 3, 1], 6)
    out = candidate.left_padded_causal_attention(x, mask, w_qkv, w_o, 2)
    expect_true(isinstance(out, torch.Tensor) and tuple(out.shape) == (3, 6, 8),
                "left_padded_causal_attention must return a tensor of shape (3, 6, 8)",
                FailureKind.SHAPE)
    padded = out[~mask]
    expect_true(bool((padded == 0).all()), (
        f"{int((padded != 0).sum())} of {padded.numel()} outputs at padded positions are not "
        f"exactly 0 ({int(torch.isnan(padded).sum())} of them NaN); a padded position has no "
        f"output: set it to 0"), FailureKind.MISMATCH)


def test_no_padding_is_problem12(candidate, problem12):
    """With a mask of all ones (no padding), the result is problem12's causal_self_attention on the whole batch x [2, 5, 8]."""
    x, w_qkv, w_o = _layer(2, 5, 8, torch.float64, seed=31)
    mask = torch.ones(2, 5, dtype=torch.int64)
    expect_close(candidate.left_padded_causal_attention(x, mask, w_qkv, w_o, 2),
                 problem12.causal_self_attention(x, w_qkv, w_o, 2))


def test_integer_mask(candidate, problem12):
    """A 0/1 int64 mask works like the bool mask (x [3, 6, 8], lengths 2, 6, 5, float64)."""
    x, w_qkv, w_o = _layer(3, 6, 8, torch.float64, seed=41)
    mask = _mask([2, 6, 5], 6, torch.int64)
    expect_close(candidate.left_padded_causal_attention(x, mask, w_qkv, w_o, 2),
                 _expected(problem12, x, mask, w_qkv, w_o, 2))


def test_padding_content_does_not_leak(candidate):
    """Replacing the inputs at padded positions by large different values changes no output (x [3, 7, 8], lengths 4, 7, 2, float64)."""
    x, w_qkv, w_o = _layer(3, 7, 8, torch.float64, seed=51)
    mask = _mask([4, 7, 2], 7)
    changed = torch.where(mask[..., None], x, randn(3, 7, 8, dtype=torch.float64, seed=52,
                                                    scale=30.0))
    before = candidate.left_padded_causal_attention(x, mask, w_qkv, w_o, 2)
    after = candidate.left_padded_causal_attention(changed, mask, w_qkv, w_o, 2)
    expect_true(isinstance(before, torch.Tensor) and isinstance(after, torch.Tensor),
                "left_padded_causal_attention must return a tensor", FailureKind.TYPE)
    expect_close(after, before, what="output after changing the padded inputs")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_large_scores(candidate, problem12, dtype):
    """Inputs scaled so that the scores reach about 1e4 (x [3, 6, 8], lengths 6, 3, 1): the output stays finite; in float64 it also matches problem12 per sequence."""
    x, w_qkv, w_o = _layer(3, 6, 8, dtype, seed=61, scale=80.0)
    mask = _mask([6, 3, 1], 6)
    out = candidate.left_padded_causal_attention(x, mask, w_qkv, w_o, 2)
    expect_finite(out)
    if dtype == torch.float64:
        expect_close(out, _expected(problem12, x, mask, w_qkv, w_o, 2))


def test_attention_rejects_right_padding(candidate):
    """left_padded_causal_attention with a right-padded row (row 2 of a [3, 5] mask): ValueError naming row 2."""
    x, w_qkv, w_o = _layer(3, 5, 8, torch.float32, seed=71)
    mask = _mask([5, 3, 5], 5)
    mask[2] = torch.tensor([True, True, True, False, False])
    with expect_raises(ValueError, mentions=["2"]):
        candidate.left_padded_causal_attention(x, mask, w_qkv, w_o, 2)


def test_attention_rejects_empty_row(candidate):
    """left_padded_causal_attention with a row of padding only (row 3 of a [4, 5] 0/1 mask): ValueError naming row 3."""
    x, w_qkv, w_o = _layer(4, 5, 8, torch.float32, seed=72)
    mask = _mask([5, 3, 5, 2], 5, torch.int64)
    mask[3] = 0
    with expect_raises(ValueError, mentions=["3"]):
        candidate.left_padded_causal_attention(x, mask, w_qkv, w_o, 2)


def test_rejects_indivisible_heads(candidate):
    """d = 10 and num_heads = 4: ValueError naming 10 and 4."""
    x, w_qkv, w_o = _layer(2, 5, 10, torch.float32, seed=73)
    with expect_raises(ValueError, mentions=["10", "4"]):
        candidate.left_padded_causal_attention(x, _mask([5, 3], 5), w_qkv, w_o, 4)


def test_rejects_zero_heads(candidate):
    """num_heads = 0: ValueError naming 0 (not ZeroDivisionError)."""
    x, w_qkv, w_o = _layer(2, 5, 8, torch.float32, seed=74)
    with expect_raises(ValueError, mentions=["0"]):
        candidate.left_padded_causal_attention(x, _mask([5, 3], 5), w_qkv, w_o, 0)


def test_inputs_not_modified(candidate, problem12):
    """left_padded_causal_attention leaves x, the mask, w_qkv and w_o exactly as it got them."""
    x, w_qkv, w_o = _layer(3, 6, 8, torch.float64, seed=81)
    mask = _mask([6, 2, 4], 6, torch.int64)
    out = check_inputs_unchanged(candidate.left_padded_causal_attention, x, mask, w_qkv, w_o, 2,
                                 names=["x", "attention_mask", "w_qkv", "w_o", "num_heads"])
    expect_close(out, _expected(problem12, x, mask, w_qkv, w_o, 2))


def test_gradients(candidate, reference):
    """With padding present (lengths 6, 3, 1), gradients reach x, w_qkv and w_o, are finite and equal the reference's (float64; the padded inputs get zero gradient)."""
    x, w_qkv, w_o = _layer(3, 6, 8, torch.float64, seed=91)
    mask = _mask([6, 3, 1], 6)
    check_gradients(candidate.left_padded_causal_attention,
                    reference.left_padded_causal_attention,
                    [x, mask, w_qkv, w_o, 2], wrt=[0, 2, 3], names=["x", "w_qkv", "w_o"])
