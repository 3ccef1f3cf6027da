"""Hidden checks for problem27 (linear attention). Run by the grader, never shown to learners.

The values are checked against the definition computed directly, the O(n^2) way,
in float64 in the trusted process: A = phi(q) @ phi(k)^T ([n, n]), lower-triangular
when causal, out = (A @ v) / rowsum(A). The memory checks run the attempt in a fresh
sandbox at n = 16384, d = d_v = 32, float32, where that [n, n] matrix alone would be
1 GiB.
"""

import pytest
import torch
import torch.nn.functional as F

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, expect_true, randn,
)

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]
MODES = [False, True]
MODE_IDS = ["non-causal", "causal"]
MiB = 1024 * 1024


def direct(q, k, v, causal):
    """The definition, O(n^2), in float64, returned in q's dtype (trusted side only)."""
    fq, fk = (F.elu(t.double()) + 1 for t in (q, k))        # [..., n, d]
    a = fq @ fk.transpose(-2, -1)                            # [..., n, n]: phi(q_i) . phi(k_j)
    if causal:
        n = a.shape[-1]
        a = a * torch.ones(n, n, dtype=torch.bool).tril()    # keys j <= i only
    out = (a @ v.double()) / a.sum(dim=-1, keepdim=True)     # [..., n, d_v]
    return out.to(q.dtype)


def _inputs(lead, n, d, dv, dtype, seed=0, scale=1.0):
    q = randn(*lead, n, d, dtype=dtype, seed=seed, scale=scale)
    k = randn(*lead, n, d, dtype=dtype, seed=seed + 1, scale=scale)
    v = randn(*lead, n, dv, dtype=dtype, seed=seed + 2)
    return q, k, v


def test_worked_example(candidate):
    """The statement's worked example: n = 3, d = d_v = 2, non-causal and causal."""
    q = torch.tensor([[0.0, 0.0], [1.0, -1.0], [2.0, 0.0]])
    k = torch.tensor([[0.0, 1.0], [-1.0, 0.0], [1.0, 1.0]])
    v = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
    expect_close(candidate.linear_attention(q, k, v), direct(q, k, v, False), what="non-causal")
    expect_close(candidate.linear_attention(q, k, v, True), direct(q, k, v, True), what="causal")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("n,d,dv", [(7, 8, 8), (6, 4, 10), (1, 8, 3)],
                         ids=["d=d_v", "d<d_v", "n=1"])
def test_non_causal(candidate, n, d, dv, dtype):
    """Non-causal, q and k [n, d], v [n, d_v]: out_i = phi(q_i)^T S / phi(q_i)^T z with S and z summed over
    all n keys, phi = elu + 1; equals the direct O(n^2) formula (including d != d_v and n = 1)."""
    q, k, v = _inputs((), n, d, dv, dtype, seed=10 * n + d)
    expect_close(candidate.linear_attention(q, k, v, False), direct(q, k, v, False))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("n,d,dv", [(7, 8, 8), (9, 4, 6), (1, 8, 3)],
                         ids=["d=d_v", "d<d_v", "n=1"])
def test_causal(candidate, n, d, dv, dtype):
    """Causal, q and k [n, d], v [n, d_v]: the sums for query i run over keys j <= i only; equals the direct
    O(n^2) formula with a lower-triangular [n, n] matrix."""
    q, k, v = _inputs((), n, d, dv, dtype, seed=20 * n + d)
    expect_close(candidate.linear_attention(q, k, v, True), direct(q, k, v, True))


@pytest.mark.parametrize("causal", MODES, ids=MODE_IDS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("lead", [(2, 3), (1,)], ids=["[2,3,...]", "batch-of-one"])
def test_leading_batch_dimensions(candidate, lead, dtype, causal):
    """Leading batch dimensions ([2, 3] and a batch of one): q, k [..., 6, 4] and v [..., 6, 5] give
    [..., 6, 5], each slice independent."""
    q, k, v = _inputs(lead, 6, 4, 5, dtype, seed=30 + len(lead))
    expect_close(candidate.linear_attention(q, k, v, causal), direct(q, k, v, causal))


def test_causal_first_position_is_its_value(candidate):
    """Causal: position 0 sees only itself, so its output is exactly v[0] (float64, n = 5)."""
    q, k, v = _inputs((), 5, 4, 3, torch.float64, seed=40)
    out = candidate.linear_attention(q, k, v, True)
    expect_true(isinstance(out, torch.Tensor) and tuple(out.shape) == (5, 3),
                f"expected a tensor of shape (5, 3), got {getattr(out, 'shape', type(out).__name__)}")
    expect_close(out[0], v[0], what="causal output at position 0")


def test_causal_ignores_the_future(candidate):
    """Causal: changing the keys and values after position 3 leaves outputs 0..3 unchanged (float64, n = 8)."""
    q, k, v = _inputs((), 8, 4, 3, torch.float64, seed=50)
    k2, v2 = k.clone(), v.clone()
    k2[4:] = randn(4, 4, dtype=torch.float64, seed=51, scale=3.0)
    v2[4:] = randn(4, 3, dtype=torch.float64, seed=52, scale=3.0)
    before = candidate.linear_attention(q, k, v, True)
    after = candidate.linear_attention(q, k2, v2, True)
    expect_close(after[:4], before[:4], what="outputs 0..3 after changing keys and values 4..7")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_large_inputs(candidate, dtype):
    """Inputs up to about +-50 (q, k scaled by 15; phi(q) . phi(k) in the thousands, or near exp(-50) for
    very negative features): float64 values equal the direct formula, float32 ones stay finite; both modes."""
    q, k, v = _inputs((2,), 12, 8, 4, dtype, seed=60, scale=15.0)
    q, k = q.clamp(-50, 50), k.clamp(-50, 50)
    for causal, name in zip(MODES, MODE_IDS):
        out = candidate.linear_attention(q, k, v, causal)
        expect_finite(out, name)
        if dtype == torch.float64:
            expect_close(out, direct(q, k, v, causal), what=name)


def test_inputs_not_modified(candidate):
    """The function leaves q, k and v exactly as it got them, in both modes."""
    q, k, v = _inputs((2,), 5, 4, 3, torch.float64, seed=70)
    for causal, name in zip(MODES, MODE_IDS):
        out = check_inputs_unchanged(candidate.linear_attention, q, k, v, causal,
                                     names=["q", "k", "v", "causal"])
        expect_close(out, direct(q, k, v, causal), what=name)


@pytest.mark.parametrize("causal", MODES, ids=MODE_IDS)
def test_gradients_flow(candidate, reference, causal):
    """Gradients reach q, k and v and equal the reference's (float64, q and k [2, 6, 4], v [2, 6, 3])."""
    q, k, v = _inputs((2,), 6, 4, 3, torch.float64, seed=80)
    check_gradients(candidate.linear_attention, reference.linear_attention, [q, k, v, causal],
                    wrt=[0, 1, 2], names=["q", "k", "v"])


@pytest.mark.parametrize("causal,limit_mib", [(False, 32), (True, 160)], ids=MODE_IDS)
def test_long_sequence_in_little_memory(candidate, reference, causal, limit_mib):
    """n = 16384, d = d_v = 32, float32: the output is right and the call's peak extra memory stays under
    32 MiB non-causal and 160 MiB causal; the [n, n] matrix alone would take 1 GiB."""
    q, k, v = _inputs((), 16384, 32, 32, torch.float32, seed=90)
    out, peak = candidate.linear_attention.with_peak_memory(q, k, v, causal)
    expect_close(out, reference.linear_attention(q, k, v, causal))
    limit = limit_mib * MiB
    if causal:
        advice = ("keep the prefix sums S_i [n, d, d_v] (64 MiB here) at most, or carry one "
                  "[d, d_v] state through a loop over chunks of positions")
    else:
        advice = "compute S = phi(k)^T @ v [d, d_v] and z = sum of phi(k) [d] first, then phi(q) @ S"
    expect_true(peak < limit, (
        f"the call's peak extra memory was {peak / MiB:.0f} MiB, over the {limit_mib} MiB "
        f"allowed; the 16384 x 16384 matrix phi(q) @ phi(k)^T alone is 1 GiB in float32. "
        f"Use associativity: {advice}"))
