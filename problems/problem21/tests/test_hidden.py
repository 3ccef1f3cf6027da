"""Hidden checks for problem21 (sinusoidal positional encoding). Run by the grader, never shown to learners.

The float64 checks compare with values computed by mpmath at 40 significant
digits (the exact encoding, independent of the reference), within an absolute
1e-10 as the catalog promises: any float64 computation of the angle is ~1e-11
off at position 1e5, an angle or frequency rounded to float32 is ~1e-3 off.
float32 results are compared with the reference at positions below 50, where
two correct float32 orders of operation agree to a few 1e-6.
"""

import math

import mpmath
import pytest
import torch

from grader.catalog import Tolerance
from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, expect_raises,
    expect_true,
)

EXACT = Tolerance(rtol=0.0, atol=1e-10)  # "within 1e-10 of the exact values"


def _exact(positions, d, base=10000.0):
    """The encoding by mpmath at 40 digits, rounded to float64 at the end: [..., d]."""
    mpmath.mp.dps = 40
    flat = []
    for p in positions.reshape(-1).tolist():
        row = []
        for i in range(d // 2):
            angle = mpmath.mpf(p) / mpmath.power(mpmath.mpf(base), mpmath.mpf(2 * i) / d)
            row += [float(mpmath.sin(angle)), float(mpmath.cos(angle))]
        flat.append(row)
    return torch.tensor(flat, dtype=torch.float64).reshape(*positions.shape, d)


def _positions(*shape, high, dtype, seed):
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(tuple(shape), generator=gen, dtype=torch.float64) * high).to(dtype)


def test_worked_example(candidate, reference):
    """The statement's worked example: integer positions [0, 1, 2] with d = 4 give a float32 [3, 4]."""
    positions = torch.tensor([0, 1, 2])
    expect_close(candidate.sinusoidal_encoding(positions, 4), reference.sinusoidal_encoding(positions, 4))


def test_sine_and_cosine_interleaved(candidate):
    """Layout: for one position p = 1 and d = 6 the row is [sin w0, cos w0, sin w1, cos w1, sin w2, cos w2] with w_i = 10000^(-2i/6), sine and cosine of each frequency side by side, not all sines then all cosines."""
    p = torch.tensor([1.0], dtype=torch.float64)
    w = [10000.0 ** (-2 * i / 6) for i in range(3)]
    expected = torch.tensor([[f(x) for x in w for f in (math.sin, math.cos)]], dtype=torch.float64)
    expect_close(candidate.sinusoidal_encoding(p, 6), expected, tol=EXACT)


@pytest.mark.parametrize("shape", [(49,), (3, 7), ()], ids=["[n]", "[b, n]", "scalar"])
def test_float32_values(candidate, reference, shape):
    """float32 positions below 50 of shape [49], [3, 7] or [] (a 0-d tensor) give float32 [..., 16] encodings."""
    positions = _positions(*shape, high=49.0, dtype=torch.float32, seed=len(shape) + 1)
    got = candidate.sinusoidal_encoding(positions, 16)
    expect_close(got, reference.sinusoidal_encoding(positions, 16))


@pytest.mark.parametrize("shape,d", [((40,), 16), ((2, 3, 5), 8), ((), 32)],
                         ids=["[n],d=16", "[2,3,5],d=8", "scalar,d=32"])
def test_float64_values(candidate, shape, d):
    """float64 positions below 100 of shape [40], [2, 3, 5] or [] give float64 [..., d] encodings within 1e-10 of the exact values."""
    positions = _positions(*shape, high=100.0, dtype=torch.float64, seed=10 + d)
    expect_close(candidate.sinusoidal_encoding(positions, d), _exact(positions, d), tol=EXACT)


@pytest.mark.parametrize("d", [8, 64, 512], ids=["d=8", "d=64", "d=512"])
def test_float64_large_positions(candidate, d):
    """float64 positions up to 1e5 ([0, 1, 17, 999, 12345, 54321.5, 99999, 100000]) stay within 1e-10 of the exact encoding: the angles must not pass through float32."""
    positions = torch.tensor([0.0, 1.0, 17.0, 999.0, 12345.0, 54321.5, 99999.0, 100000.0],
                             dtype=torch.float64)
    expect_close(candidate.sinusoidal_encoding(positions, d), _exact(positions, d), tol=EXACT)


def test_fractional_and_negative_positions(candidate):
    """Positions need not be natural numbers: float64 [-3.5, -0.25, 0.5, 2.75, 1e-3] with d = 10 match the formula exactly."""
    positions = torch.tensor([-3.5, -0.25, 0.5, 2.75, 1e-3], dtype=torch.float64)
    expect_close(candidate.sinusoidal_encoding(positions, 10), _exact(positions, 10), tol=EXACT)


@pytest.mark.parametrize("int_dtype", [torch.int64, torch.int32], ids=["int64", "int32"])
def test_integer_positions(candidate, reference, int_dtype):
    """Integer positions [2, 6] (int64 or int32) below 50 give encodings [2, 6, 12] in torch.get_default_dtype() (float32 here)."""
    positions = torch.arange(0, 48, 4).reshape(2, 6).to(int_dtype)
    got = candidate.sinusoidal_encoding(positions, 12)
    expect_true(isinstance(got, torch.Tensor) and got.dtype == torch.get_default_dtype(), (
        f"integer positions must give torch.get_default_dtype() ({torch.get_default_dtype()}); "
        f"got {getattr(got, 'dtype', type(got).__name__)}"))
    expect_close(got, reference.sinusoidal_encoding(positions.long(), 12))


def test_custom_base(candidate):
    """The base is a parameter: base=100.0, d = 8 on float64 positions [0, 3, 250] uses w_i = 100^(-2i/8)."""
    positions = torch.tensor([0.0, 3.0, 250.0], dtype=torch.float64)
    got = candidate.sinusoidal_encoding(positions, 8, base=100.0)
    expect_close(got, _exact(positions, 8, base=100.0), tol=EXACT)


def test_single_pair(candidate):
    """d = 2 is a single pair at frequency 1: [sin p, cos p] for float64 positions [0, 1, 2, 3]."""
    positions = torch.tensor([0.0, 1.0, 2.0, 3.0], dtype=torch.float64)
    expect_close(candidate.sinusoidal_encoding(positions, 2), _exact(positions, 2), tol=EXACT)


@pytest.mark.parametrize("d", [7, 1, 0], ids=["d=7", "d=1", "d=0"])
def test_invalid_d(candidate, d):
    """An odd d (7, 1) or d < 2 (0) raises ValueError naming d: features come in sine/cosine pairs."""
    with expect_raises(ValueError, mentions=[str(d)]):
        candidate.sinusoidal_encoding(torch.arange(5), d)


def test_float32_large_positions_finite(candidate):
    """float32 positions up to 1e5 give a finite float32 [6, 64] result with values in [-1, 1] (float32 values there are not compared)."""
    positions = torch.tensor([0.0, 10.0, 1000.0, 31415.9, 99999.0, 100000.0])
    got = candidate.sinusoidal_encoding(positions, 64)
    expect_finite(got)
    expect_true(got.shape == (6, 64) and got.dtype == torch.float32,
                f"expected a float32 tensor of shape (6, 64), got {got.dtype} {tuple(got.shape)}")
    expect_true(bool((got.abs() <= 1.0 + 1e-6).all()), "sines and cosines must lie in [-1, 1]")


def test_gradient_of_positions(candidate, reference):
    """float64 positions [2, 5] that require grad: the gradient d(encoding)/d(position) flows back and equals the reference's."""
    positions = _positions(2, 5, high=80.0, dtype=torch.float64, seed=30)
    check_gradients(candidate.sinusoidal_encoding, reference.sinusoidal_encoding, [positions, 16],
                    wrt=[0], names=["positions"])


def test_inputs_not_modified(candidate):
    """The function leaves its positions tensor exactly as it got it."""
    positions = _positions(4, 3, high=60.0, dtype=torch.float64, seed=40)
    got = check_inputs_unchanged(candidate.sinusoidal_encoding, positions, 8, names=["positions", "d"])
    expect_close(got, _exact(positions, 8), tol=EXACT)
