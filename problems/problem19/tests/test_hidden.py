"""Hidden checks for problem19 (attention fusion). Run by the grader, never shown to learners."""

import math

import pytest
import torch

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, expect_raises,
    expect_true, randn,
)

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]


def _qkv(n, d, dtype, seed=0, batch=(), scale=1.0):
    q = randn(*batch, n, d, dtype=dtype, seed=seed, scale=scale)
    k = randn(*batch, n, d, dtype=dtype, seed=seed + 1, scale=scale)
    v = randn(*batch, n, d, dtype=dtype, seed=seed + 2)
    return q, k, v


def _full_attention(q, k, v):
    """Plain scaled dot-product attention over every position (trusted side only)."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # [..., n, n]
    return torch.softmax(scores, dim=-1) @ v                   # [..., n, d]


def test_worked_example(candidate, reference):
    """The statement's worked example: three positions [3, 1], window 1, gates [3, 1] giving g = 0.75, 0.5, 0.25."""
    x = torch.tensor([[0.0], [1.0], [2.0]])
    v = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    gate = torch.tensor([[math.log(3.0)], [0.0], [-math.log(3.0)]])
    expect_close(candidate.fused_attention(x, x, v, 1, gate),
                 reference.fused_attention(x, x, v, 1, gate))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("n,d,window", [(7, 4, 1), (10, 8, 3), (1, 4, 0)],
                         ids=["n7-window1", "n10-window3", "n1-window0"])
def test_matches_reference(candidate, reference, n, d, window, dtype):
    """q, k, v [n, d] with one gate logit per position [n, 1]: the fused output [n, d] is right."""
    q, k, v = _qkv(n, d, dtype, seed=n + 10 * window)
    gate = randn(n, 1, dtype=dtype, seed=n + 99, scale=2.0)
    expect_close(candidate.fused_attention(q, k, v, window, gate),
                 reference.fused_attention(q, k, v, window, gate))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_window_zero_attends_to_itself(candidate, dtype):
    """Window 0 with the gate shut (logit -30, g about 1e-13): each position attends only to itself, so the output equals v [8, 5]."""
    q, k, v = _qkv(8, 5, dtype, seed=20)
    gate = torch.full((8, 1), -30.0, dtype=dtype)
    expect_close(candidate.fused_attention(q, k, v, 0, gate), v)


@pytest.mark.parametrize("window", [7, 50], ids=["window=n-1", "window>n"])
def test_wide_window_is_global(candidate, window):
    """Window n - 1 or larger (n = 8): the local branch sees every position, so for any gate the output equals full attention."""
    q, k, v = _qkv(8, 6, torch.float64, seed=30 + window)
    gate = randn(8, 1, dtype=torch.float64, seed=31, scale=2.0)
    expect_close(candidate.fused_attention(q, k, v, window, gate), _full_attention(q, k, v))


def test_open_gate_is_global(candidate):
    """Gate wide open (logit 30, g = 1 - 1e-13) with window 1: the output equals global attention over all positions."""
    q, k, v = _qkv(9, 4, torch.float64, seed=40)
    gate = torch.tensor([30.0], dtype=torch.float64)
    expect_close(candidate.fused_attention(q, k, v, 1, gate), _full_attention(q, k, v))


@pytest.mark.parametrize("gate_shape", [(1,), (6, 1), (2, 6, 1), (2, 1, 1)],
                         ids=["gate[1]", "gate[n,1]", "gate[b,n,1]", "gate[b,1,1]"])
def test_gate_shapes(candidate, reference, gate_shape):
    """q, k, v [2, 6, 4], window 2: one gate for everything [1], per position [6, 1], per sequence and position [2, 6, 1], per sequence [2, 1, 1]."""
    q, k, v = _qkv(6, 4, torch.float64, seed=50, batch=(2,))
    gate = randn(*gate_shape, dtype=torch.float64, seed=51, scale=2.0)
    expect_close(candidate.fused_attention(q, k, v, 2, gate),
                 reference.fused_attention(q, k, v, 2, gate))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_leading_batch_dimensions(candidate, reference, dtype):
    """Leading batch dimensions: q, k, v [2, 3, 7, 4] with gates [2, 3, 7, 1] and window 2 give [2, 3, 7, 4]."""
    q, k, v = _qkv(7, 4, dtype, seed=60, batch=(2, 3))
    gate = randn(2, 3, 7, 1, dtype=dtype, seed=61, scale=2.0)
    expect_close(candidate.fused_attention(q, k, v, 2, gate),
                 reference.fused_attention(q, k, v, 2, gate))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_large_scores_stay_finite(candidate, reference, dtype):
    """Scores around 1e4 (q and k scaled by 40, d = 8), window 1: the output stays finite and correct."""
    q, k, v = _qkv(6, 8, dtype, seed=70, scale=40.0)
    gate = randn(6, 1, dtype=dtype, seed=71)
    out = candidate.fused_attention(q, k, v, 1, gate)
    expect_finite(out)
    expect_close(out, reference.fused_attention(q, k, v, 1, gate))


def _very_negative(n, dtype, seed, batch=()):
    """q, k, v [*batch, n, 8] whose scaled scores all sit around -3.2e4."""
    q, k, v = _qkv(n, 8, dtype, seed=seed, batch=batch)
    q[..., 0] = -300.0               # every query dislikes feature 0, which every key has:
    k[..., 0] = 300.0                # each score drops by about 3.2e4, the softmax is unchanged
    return q, k, v


@pytest.mark.parametrize("window", [1, 2], ids=["window1", "window2"])
def test_very_negative_scores(candidate, reference, window):
    """Every score around -3.2e4 (float64, q, k, v [2, 7, 8], gates [2, 7, 1]): both branches still normalise over their own positions, so the fused output equals the reference.

    Catches a local window filled with a finite value such as -1e4: here the real scores
    are lower than the fill, so the positions outside the window win the local softmax.
    """
    q, k, v = _very_negative(7, torch.float64, seed=72 + window, batch=(2,))
    gate = randn(2, 7, 1, dtype=torch.float64, seed=75, scale=2.0)
    expect_close(candidate.fused_attention(q, k, v, window, gate),
                 reference.fused_attention(q, k, v, window, gate))


def test_very_negative_scores_local_float32(candidate):
    """float32, every score around -3.2e4, window 1 and the gate shut (logit -30): the output is finite, and changing the keys and values of positions 3-5 leaves positions 0 and 1 (whose windows end at 2) unchanged."""
    q, k, v = _very_negative(6, torch.float32, seed=76)
    gate = torch.full((6, 1), -30.0)
    k2, v2 = k.clone(), v.clone()
    k2[3:, 1:] = randn(3, 7, seed=77, scale=3.0)
    v2[3:] = randn(3, 8, seed=78, scale=3.0)
    before = candidate.fused_attention(q, k, v, 1, gate)
    after = candidate.fused_attention(q, k2, v2, 1, gate)
    expect_finite(before)
    expect_true(isinstance(after, torch.Tensor) and before.shape == after.shape == (6, 8),
                "expected an output of shape [6, 8] for q, k, v [6, 8]")
    expect_close(after[:2], before[:2],
                 what="outputs at positions 0 and 1 after changing keys and values 3..5")


@pytest.mark.parametrize("window", [-1, -3], ids=["window-1", "window-3"])
def test_rejects_negative_window(candidate, window):
    """A negative window: ValueError naming the window."""
    q, k, v = _qkv(4, 3, torch.float32, seed=80)
    with expect_raises(ValueError, mentions=[str(window)]):
        candidate.fused_attention(q, k, v, window, torch.zeros(1))


def test_inputs_not_modified(candidate, reference):
    """The function leaves q, k, v and gate exactly as it got them."""
    q, k, v = _qkv(6, 4, torch.float64, seed=90)
    gate = randn(6, 1, dtype=torch.float64, seed=91)
    out = check_inputs_unchanged(candidate.fused_attention, q, k, v, 1, gate,
                                 names=["q", "k", "v", "window", "gate"])
    expect_close(out, reference.fused_attention(q, k, v, 1, gate))


def test_gradients_flow(candidate, reference):
    """Gradients reach q, k, v and gate (per-position gates [7, 1], window 2) and equal the reference's (float64)."""
    q, k, v = _qkv(7, 4, torch.float64, seed=100)
    gate = randn(7, 1, dtype=torch.float64, seed=101)
    check_gradients(candidate.fused_attention, reference.fused_attention, [q, k, v, 2, gate],
                    wrt=[0, 1, 2, 4], names=["q", "k", "v", "gate"])
