"""Hidden checks for problem28 (attention sinks). Run by the grader, never shown to learners.

The outputs are checked against torch.nn.functional.scaled_dot_product_attention
(forbidden in attempts, fine here in the trusted process) given the mask built
below, one (i, j) pair at a time, straight from the definition. Which keys a
query attends to is read off the output by using the identity matrix as the
values: row t of softmax(...) @ I is row t of the weights. kept_positions is
checked against hand-written lists and against those weights.
"""

import pytest
import torch
import torch.nn.functional as F

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, expect_raises,
    expect_true, randn,
)

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]


def allowed(n, window, num_sinks):
    """[n, n] bool from the definition: j <= i and (i - j < window or j < num_sinks)."""
    mask = torch.zeros(n, n, dtype=torch.bool)
    for i in range(n):
        for j in range(i + 1):
            mask[i, j] = i - j < window or j < num_sinks
    return mask


def oracle(q, k, v, window, num_sinks):
    return F.scaled_dot_product_attention(q, k, v, attn_mask=allowed(q.shape[-2], window, num_sinks))


def _qkv(lead, n, d, dtype, seed=0, scale=1.0):
    q = randn(*lead, n, d, dtype=dtype, seed=seed, scale=scale)
    k = randn(*lead, n, d, dtype=dtype, seed=seed + 1, scale=scale)
    v = randn(*lead, n, d, dtype=dtype, seed=seed + 2)
    return q, k, v


def _attended(candidate, n, window, num_sinks, seed):
    """The weights [n, n] of sink_attention, read off its output with identity values (float64)."""
    q = randn(n, n, dtype=torch.float64, seed=seed, scale=0.5)
    k = randn(n, n, dtype=torch.float64, seed=seed + 1, scale=0.5)
    v = torch.eye(n, dtype=torch.float64)
    weights = candidate.sink_attention(q, k, v, window, num_sinks)
    expect_true(isinstance(weights, torch.Tensor) and tuple(weights.shape) == (n, n),
                f"sink_attention with q, k, v of shape {(n, n)}: expected an output of shape "
                f"{(n, n)}, got {getattr(weights, 'shape', type(weights).__name__)}")
    return weights


def _pairs(mask):
    return [(int(i), int(j)) for i, j in mask.nonzero()][:6]


def test_worked_example(candidate):
    """The statement's worked example: n = 6, d = 2, window = 2, one sink."""
    q = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, -1.0], [0.0, 2.0], [2.0, 0.0]])
    k = torch.tensor([[1.0, 1.0], [0.0, 1.0], [1.0, 0.0], [-1.0, 1.0], [1.0, -1.0], [0.0, 0.0]])
    v = torch.arange(12, dtype=torch.float32).reshape(6, 2)
    expect_close(candidate.sink_attention(q, k, v, 2, 1), oracle(q, k, v, 2, 1))


CONFIGS = {
    "window=1,no-sinks": (1, 0),
    "window=3,no-sinks": (3, 0),
    "window=3,2-sinks": (3, 2),
    "window=2,4-sinks": (2, 4),
    "window=1,3-sinks": (1, 3),
    "window>=n": (12, 0),
    "sinks>=n": (2, 15),
}


@pytest.mark.parametrize("config", list(CONFIGS), ids=list(CONFIGS))
def test_values(candidate, config):
    """q, k, v [10, 8] (float64): the output equals scaled dot-product attention with the mask j <= i and
    (i - j < window or j < num_sinks), for windows 1, 2, 3 and >= n and 0, 2, 3, 4 or >= n sinks."""
    window, num_sinks = CONFIGS[config]
    q, k, v = _qkv((), 10, 8, torch.float64, seed=window * 20 + num_sinks)
    expect_close(candidate.sink_attention(q, k, v, window, num_sinks),
                 oracle(q, k, v, window, num_sinks))


@pytest.mark.parametrize("window,num_sinks", [(1, 0), (3, 2), (4, 1), (20, 0), (2, 30)],
                         ids=["window=1", "window=3,2-sinks", "window=4,1-sink", "window>=n",
                              "sinks>=n"])
def test_which_keys_are_attended(candidate, window, num_sinks):
    """With identity values the output is the weight matrix [9, 9]: query i gives weight > 0 exactly to keys
    j <= i with i - j < window or j < num_sinks, and exactly 0 to every other key."""
    n = 9
    weights = _attended(candidate, n, window, num_sinks, seed=30 + window)
    mask = allowed(n, window, num_sinks)
    leaked = (weights != 0) & ~mask
    missing = (weights <= 0) & mask
    expect_true(not leaked.any(), (
        f"window = {window}, num_sinks = {num_sinks}: nonzero weight on keys the query may not "
        f"see, (query, key) = {_pairs(leaked)}"))
    expect_true(not missing.any(), (
        f"window = {window}, num_sinks = {num_sinks}: no weight on keys the query should see, "
        f"(query, key) = {_pairs(missing)}"))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_leading_batch_dimensions(candidate, dtype):
    """Leading batch dimensions: q, k, v [2, 3, 7, 4] (window 3, 1 sink) give [2, 3, 7, 4], one mask for every
    batch element and head."""
    q, k, v = _qkv((2, 3), 7, 4, dtype, seed=40)
    expect_close(candidate.sink_attention(q, k, v, 3, 1), oracle(q, k, v, 3, 1))


@pytest.mark.parametrize("window,num_sinks", [(1, 0), (4, 2)], ids=["window=1", "window=4,2-sinks"])
def test_one_position_batch_of_one(candidate, window, num_sinks):
    """A batch of one sequence of one position, q, k, v [1, 1, 4]: the query sees only itself, so the output
    is v."""
    q, k, v = _qkv((1,), 1, 4, torch.float32, seed=45)
    expect_close(candidate.sink_attention(q, k, v, window, num_sinks), v)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_large_scores(candidate, dtype):
    """Scores around 1e4 (q and k scaled by 40, d = 8, n = 10, window 3, 2 sinks): float64 values equal the
    oracle's, float32 ones stay finite."""
    q, k, v = _qkv((2,), 10, 8, dtype, seed=50, scale=40.0)
    out = candidate.sink_attention(q, k, v, 3, 2)
    expect_finite(out)
    if dtype == torch.float64:
        expect_close(out, oracle(q, k, v, 3, 2))


KEPT = [
    ((0, 4, 2), []),
    ((1, 4, 2), [0]),
    ((3, 4, 2), [0, 1, 2]),
    ((5, 4, 2), [0, 1, 2, 3, 4]),
    ((8, 4, 2), [0, 1, 5, 6, 7]),
    ((8, 1, 2), [0, 1]),
    ((8, 4, 0), [5, 6, 7]),
    ((3, 4, 5), [0, 1, 2]),
    ((10, 3, 3), [0, 1, 2, 8, 9]),
]


@pytest.mark.parametrize("args,expected", KEPT,
                         ids=[f"t={t},window={w},sinks={s}" for (t, w, s), _ in KEPT])
def test_kept_positions(candidate, args, expected):
    """kept_positions(t, window, num_sinks) is the sorted list of Python ints j < t with j < num_sinks or
    j > t - window: no position twice, none >= t, the query's own position t not included."""
    expect_close(candidate.kept_positions(*args), expected,
                 what=f"kept_positions{args}")


@pytest.mark.parametrize("window,num_sinks", [(3, 2), (1, 0), (5, 0), (2, 4), (20, 1)],
                         ids=["window=3,2-sinks", "window=1", "window=5", "window=2,4-sinks",
                              "window>=n"])
def test_cache_holds_what_the_query_sees(candidate, window, num_sinks):
    """For every t < 12, kept_positions(t, ...) is exactly the set of keys j != t that query t gives a nonzero
    weight in sink_attention on 12 positions: the rolling cache holds what attention uses."""
    n = 12
    weights = _attended(candidate, n, window, num_sinks, seed=60 + window + num_sinks)
    for t in range(n):
        seen = [j for j in range(n) if j != t and float(weights[t, j]) != 0.0]
        kept = candidate.kept_positions(t, window, num_sinks)
        expect_true(isinstance(kept, (list, tuple)) and list(kept) == seen, (
            f"window = {window}, num_sinks = {num_sinks}, t = {t}: kept_positions returned {kept!r} "
            f"but sink_attention's query {t} attends to {seen} (besides itself)"))


@pytest.mark.parametrize("window,num_sinks,bad", [(0, 2, "0"), (-1, 0, "-1"), (3, -1, "-1")],
                         ids=["window=0", "window=-1", "sinks=-1"])
def test_sink_attention_rejects_bad_sizes(candidate, window, num_sinks, bad):
    """sink_attention with window < 1 or num_sinks < 0: ValueError naming the bad value."""
    q, k, v = _qkv((), 5, 4, torch.float32, seed=70)
    with expect_raises(ValueError, mentions=[bad]):
        candidate.sink_attention(q, k, v, window, num_sinks)


@pytest.mark.parametrize("t,window,num_sinks,bad", [(5, 0, 1, "0"), (5, 3, -2, "-2"), (-1, 3, 1, "-1")],
                         ids=["window=0", "sinks=-2", "t=-1"])
def test_kept_positions_rejects_bad_sizes(candidate, t, window, num_sinks, bad):
    """kept_positions with window < 1, num_sinks < 0 or t < 0: ValueError naming the bad value."""
    with expect_raises(ValueError, mentions=[bad]):
        candidate.kept_positions(t, window, num_sinks)


def test_inputs_not_modified(candidate):
    """The function leaves q, k and v exactly as it got them."""
    q, k, v = _qkv((2,), 6, 4, torch.float64, seed=80)
    out = check_inputs_unchanged(candidate.sink_attention, q, k, v, 2, 1,
                                 names=["q", "k", "v", "window", "num_sinks"])
    expect_close(out, oracle(q, k, v, 2, 1))


def test_gradients_flow(candidate, reference):
    """Gradients reach q, k and v and equal the reference's (float64, [2, 7, 4], window 3, 2 sinks)."""
    q, k, v = _qkv((2,), 7, 4, torch.float64, seed=90)
    check_gradients(candidate.sink_attention, reference.sink_attention, [q, k, v, 3, 2],
                    wrt=[0, 1, 2], names=["q", "k", "v"])
