"""Hidden checks for problem22 (rotary position embedding). Run by the grader, never shown to learners.

Values are compared with an independent oracle written here: Meta's Llama
formulation (each pair (x_2i, x_2i+1) viewed as one complex number and multiplied
by e^(i theta)), computed in complex128 whatever the input dtype, then rounded to
the input's dtype. float64 checks use positions up to about 1e4, where correct
float64 implementations agree to ~1e-12 and float32 angles are off by ~1e-4.
float32 values are compared at positions below 50 only.
"""

import pytest
import torch

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, expect_raises,
    expect_true, randint, randn,
)

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]


def _oracle(x, positions, base=10000.0):
    """Llama's complex-number RoPE, in complex128: [..., n, d] in x's dtype."""
    d = x.shape[-1]
    x64 = x.detach().to(torch.float64)
    freq = base ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)          # [d/2]
    theta = positions.to(torch.float64).unsqueeze(-1) * freq                   # [..., n, d/2]
    rot = torch.polar(torch.ones_like(theta), theta)                           # e^(i theta)
    pairs = torch.view_as_complex(x64.reshape(*x64.shape[:-1], d // 2, 2).contiguous())
    out = torch.view_as_real(pairs * rot).flatten(-2)                          # [..., n, d]
    return out.to(x.dtype)


def test_worked_example(candidate, reference):
    """The statement's worked example: x [3, 4] with every row [1, 2, 3, 4] at positions [0, 1, 2]."""
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0]]).repeat(3, 1)
    positions = torch.tensor([0, 1, 2])
    expect_close(candidate.apply_rope(x, positions), reference.apply_rope(x, positions))


def test_pairs_are_neighbours(candidate):
    """Layout: x [3, 6] = rows [1, 0, 1, 0, 1, 0] at positions [0, 1, 2] give [cos t0, sin t0, cos t1, sin t1, cos t2, sin t2] with t_i = p * 10000^(-2i/6): features 2i and 2i+1 form a pair (not i and i + d/2 as in rotate_half)."""
    x = torch.tensor([[1.0, 0.0, 1.0, 0.0, 1.0, 0.0]], dtype=torch.float64).repeat(3, 1)
    positions = torch.tensor([0, 1, 2])
    expect_close(candidate.apply_rope(x, positions), _oracle(x, positions))


@pytest.mark.parametrize("shape", [(10, 16), (2, 3, 10, 16)], ids=["[n, d]", "[b, h, n, d]"])
def test_float32_values(candidate, reference, shape):
    """float32 x of shape [10, 16] or [2, 3, 10, 16] with int64 positions [10] below 50: a float32 result of x's shape."""
    x = randn(*shape, dtype=torch.float32, seed=len(shape))
    positions = randint(0, 50, 10, seed=len(shape) + 100)
    expect_close(candidate.apply_rope(x, positions), reference.apply_rope(x, positions))


@pytest.mark.parametrize("shape,high", [((12, 32), 64), ((2, 4, 12, 32), 8192), ((3, 5, 64), 10000)],
                         ids=["[n,d],p<64", "[b,h,n,d],p<8192", "[b,n,d],p<1e4"])
def test_float64_values(candidate, shape, high):
    """float64 x [12, 32], [2, 4, 12, 32] or [3, 5, 64] with positions [n] up to 1e4: the angles must be float64 (a float32 angle is off by ~1e-4 there)."""
    x = randn(*shape, dtype=torch.float64, seed=high)
    positions = randint(0, high, shape[-2], seed=high + 1)
    expect_close(candidate.apply_rope(x, positions), _oracle(x, positions))


def test_per_sequence_positions(candidate):
    """x [3, 2, 6, 8] (batch, heads, positions, features) with per-sequence positions [3, 1, 6], e.g. offsets 0, 4 and 1000 after a cache or left padding, broadcast over the heads."""
    x = randn(3, 2, 6, 8, dtype=torch.float64, seed=30)
    positions = (torch.arange(6) + torch.tensor([0, 4, 1000])[:, None]).reshape(3, 1, 6)
    expect_close(candidate.apply_rope(x, positions), _oracle(x, positions))


def test_positions_batch_by_n(candidate):
    """x [2, 5, 10] without a head axis and positions [2, 5], one row of positions per sequence."""
    x = randn(2, 5, 10, dtype=torch.float64, seed=40)
    positions = torch.tensor([[0, 1, 2, 3, 4], [7, 8, 9, 10, 11]])
    expect_close(candidate.apply_rope(x, positions), _oracle(x, positions))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_position_zero_is_identity(candidate, dtype):
    """At position 0 every angle is 0: x [2, 7, 12] with positions all 0 comes back unchanged."""
    x = randn(2, 7, 12, dtype=dtype, seed=50)
    got = candidate.apply_rope(x, torch.zeros(7, dtype=torch.int64))
    expect_close(got, x, what="output at position 0")


def test_norms_preserved(candidate):
    """A rotation keeps lengths: for float64 x [4, 20, 16] at positions below 2000, every output row has the norm of its input row."""
    x = randn(4, 20, 16, dtype=torch.float64, seed=60, scale=3.0)
    positions = randint(0, 2000, 20, seed=61)
    got = candidate.apply_rope(x, positions)
    expect_true(isinstance(got, torch.Tensor) and got.shape == x.shape,
                f"expected a tensor of x's shape {tuple(x.shape)}")
    expect_close(got.norm(dim=-1), x.norm(dim=-1), what="row norms ||apply_rope(x)||")
    expect_close(got, _oracle(x, positions))


def test_scores_depend_on_offset_only(candidate):
    """apply_rope(q, m) . apply_rope(k, n) depends only on m - n: one q and one k (d = 32, float64) at (m, n) = (5, 0), (12, 7), (105, 100), (3005, 3000) and (9000, 8995) give the same dot product."""
    q = randn(1, 32, dtype=torch.float64, seed=70).repeat(5, 1)
    k = randn(1, 32, dtype=torch.float64, seed=71).repeat(5, 1)
    m = torch.tensor([5, 12, 105, 3005, 9000])
    rq, rk = candidate.apply_rope(q, m), candidate.apply_rope(k, m - 5)
    expect_true(isinstance(rq, torch.Tensor) and rq.shape == q.shape and rk.shape == k.shape,
                f"expected tensors of shape {tuple(q.shape)}")
    dots = (rq * rk).sum(-1)
    expected = (_oracle(q[:1], torch.tensor([5])) * k[:1]).sum(-1).expand(5)
    expect_close(dots, expected, what="q . k after rotation at offsets m - n = 5")


def test_custom_base(candidate):
    """The base is a parameter: base=500000.0 (Llama 3's rope_theta) on float64 x [6, 16] at positions up to 5000."""
    x = randn(6, 16, dtype=torch.float64, seed=80)
    positions = torch.tensor([0, 1, 31, 500, 4096, 5000])
    expect_close(candidate.apply_rope(x, positions, base=500000.0), _oracle(x, positions, 500000.0))


def test_one_position_one_head(candidate):
    """The smallest case: x [1, 1, 1, 8] (one sequence, one head, one position) at position [7]."""
    x = randn(1, 1, 1, 8, dtype=torch.float64, seed=90)
    positions = torch.tensor([7])
    expect_close(candidate.apply_rope(x, positions), _oracle(x, positions))


def test_int32_positions(candidate):
    """int32 positions [9] work like int64 ones and the result keeps x's dtype (float64 x [9, 6])."""
    x = randn(9, 6, dtype=torch.float64, seed=95)
    positions = torch.arange(0, 900, 100, dtype=torch.int32)
    expect_close(candidate.apply_rope(x, positions), _oracle(x, positions))


@pytest.mark.parametrize("d", [7, 1], ids=["d=7", "d=1"])
def test_odd_d_rejected(candidate, d):
    """x [4, d] with an odd d (7 or 1) raises ValueError naming d: features are rotated in pairs."""
    with expect_raises(ValueError, mentions=[str(d)]):
        candidate.apply_rope(randn(4, d, seed=d), torch.arange(4))


def test_float32_large_positions_finite(candidate):
    """float32 x [8, 64] at positions up to 1e5 gives a finite float32 result of x's shape whose rows keep their norms to 1e-4."""
    x = randn(8, 64, dtype=torch.float32, seed=110)
    positions = torch.tensor([0, 1, 1000, 8191, 32768, 65535, 99999, 100000])
    got = candidate.apply_rope(x, positions)
    expect_finite(got)
    expect_true(got.shape == x.shape and got.dtype == torch.float32,
                f"expected float32 {tuple(x.shape)}, got {got.dtype} {tuple(got.shape)}")
    expect_close(got.norm(dim=-1), x.norm(dim=-1), what="row norms ||apply_rope(x)||")


def test_gradient_of_x(candidate, reference):
    """Gradients of the output reach x and equal the reference's (float64 x [2, 3, 5, 8], positions below 300)."""
    x = randn(2, 3, 5, 8, dtype=torch.float64, seed=120)
    positions = randint(0, 300, 5, seed=121)
    check_gradients(candidate.apply_rope, reference.apply_rope, [x, positions], wrt=[0], names=["x"])


def test_inputs_not_modified(candidate):
    """The function leaves x and positions exactly as it got them."""
    x = randn(2, 6, 8, dtype=torch.float64, seed=130)
    positions = torch.arange(6) * 3
    got = check_inputs_unchanged(candidate.apply_rope, x, positions, names=["x", "positions"])
    expect_close(got, _oracle(x, positions))
