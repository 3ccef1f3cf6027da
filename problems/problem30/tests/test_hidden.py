"""Hidden checks for problem30 (paged attention). Run by the grader, never shown to learners.

The expected outputs come from an oracle built in the trusted process that shares
no code with the reference: it looks up every token p of a sequence one at a
time (block block_tables[i, p // block_size], slot p % block_size), stacks them,
and runs torch's scaled_dot_product_attention on that plain [h, L, d] sequence.
Slots and table entries that a correct implementation never reads are filled
with NaN, -1 or out-of-range block numbers.
"""

import pytest
import torch
import torch.nn.functional as F

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, randn,
)

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]
NAN = float("nan")


def _paged(lens, block_size, max_blocks, h, d, dtype, seed=0, spare=3, pad=-1,
           index_dtype=torch.int64, scale=1.0):
    """q [b, h, d], a pool of blocks and block tables: each sequence gets blocks in shuffled physical order."""
    needed = [-(-n // block_size) for n in lens]
    num_blocks = sum(needed) + spare
    gen = torch.Generator().manual_seed(seed)
    free = torch.randperm(num_blocks, generator=gen).tolist()
    table = torch.full((len(lens), max_blocks), pad, dtype=torch.int64)
    for i, n in enumerate(needed):
        table[i, :n] = torch.tensor(free[:n], dtype=torch.int64)
        free = free[n:]
    q = randn(len(lens), h, d, dtype=dtype, seed=seed + 1, scale=scale)
    k_cache = randn(num_blocks, block_size, h, d, dtype=dtype, seed=seed + 2, scale=scale)
    v_cache = randn(num_blocks, block_size, h, d, dtype=dtype, seed=seed + 3)
    return (q, k_cache, v_cache, table.to(index_dtype),
            torch.tensor(lens, dtype=index_dtype))


def _used(k_cache, table, lens):
    """bool [num_blocks, block_size]: True for the slots holding some sequence's first seq_lens tokens."""
    used = torch.zeros(k_cache.shape[:2], dtype=torch.bool)
    block_size = k_cache.shape[1]
    for i, n in enumerate(lens.tolist()):
        for p in range(n):
            used[int(table[i, p // block_size]), p % block_size] = True
    return used


def _poison(cache, used):
    """The cache with NaN in every slot that no sequence may read."""
    return cache.masked_fill(~used[:, :, None, None], NAN)


def _oracle(q, k_cache, v_cache, table, lens):
    """Token-by-token lookup, then torch's attention over the plain sequence of each query."""
    block_size = k_cache.shape[1]
    rows = []
    for i, n in enumerate(lens.tolist()):
        where = [(int(table[i, p // block_size]), p % block_size) for p in range(n)]
        k = torch.stack([k_cache[blk, slot] for blk, slot in where])   # [L, h, d]
        v = torch.stack([v_cache[blk, slot] for blk, slot in where])   # [L, h, d]
        out = F.scaled_dot_product_attention(q[i][:, None, :], k.transpose(0, 1),
                                             v.transpose(0, 1))        # [h, 1, d]
        rows.append(out[:, 0])
    return torch.stack(rows)                                           # [b, h, d]


def test_worked_example(candidate):
    """The statement's worked example: 2 sequences of 3 and 2 tokens in a pool of 4 blocks of 2 slots, tables [[2, 0], [3, -1]], NaN in the free slots."""
    k_cache = torch.tensor([[[[0., 1.]], [[NAN, NAN]]], [[[NAN, NAN]], [[NAN, NAN]]],
                            [[[1., 0.]], [[0., 2.]]], [[[1., 1.]], [[2., 0.]]]])
    v_cache = torch.tensor([[[[3., 0.]], [[NAN, NAN]]], [[[NAN, NAN]], [[NAN, NAN]]],
                            [[[1., 0.]], [[0., 1.]]], [[[2., 2.]], [[0., 4.]]]])
    q = torch.tensor([[[1., 1.]], [[0., 2.]]])
    table, lens = torch.tensor([[2, 0], [3, -1]]), torch.tensor([3, 2])
    expect_close(candidate.paged_attention(q, k_cache, v_cache, table, lens),
                 _oracle(q, k_cache, v_cache, table, lens))


CASES = {
    "ends mid-block": dict(lens=[5, 11, 2], block_size=4, max_blocks=3, h=2, d=8),
    "ends at block boundaries": dict(lens=[4, 8, 12], block_size=4, max_blocks=3, h=2, d=8),
    "one token each": dict(lens=[1, 1], block_size=4, max_blocks=2, h=3, d=8),
    "batch of one": dict(lens=[7], block_size=4, max_blocks=2, h=2, d=8),
    "block_size=1,one head": dict(lens=[3, 5], block_size=1, max_blocks=6, h=1, d=4),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_values(candidate, case, dtype):
    """q [b, h, d] over a pool of shuffled blocks: each sequence's output equals plain attention over its first seq_lens[i] tokens gathered through its block table (entries past its last block are -1)."""
    q, k_cache, v_cache, table, lens = _paged(**CASES[case], dtype=dtype,
                                              seed=10 + list(CASES).index(case))
    expect_close(candidate.paged_attention(q, k_cache, v_cache, table, lens),
                 _oracle(q, k_cache, v_cache, table, lens))


@pytest.mark.parametrize("index_dtype", [torch.int32, torch.int64], ids=["int32", "int64"])
def test_index_dtypes(candidate, index_dtype):
    """block_tables and seq_lens given as int32 (as vLLM passes them) or int64 both work: lengths 6, 9, 3 in blocks of 4 (float64)."""
    q, k_cache, v_cache, table, lens = _paged([6, 9, 3], 4, 3, 2, 8, torch.float64, seed=21,
                                              index_dtype=index_dtype)
    expect_close(candidate.paged_attention(q, k_cache, v_cache, table, lens),
                 _oracle(q, k_cache, v_cache, table, lens))


def test_blocks_not_in_physical_order(candidate):
    """A block table that runs backwards through the pool, [[5, 3, 1], [4, 2, 0]]: token p is in block block_tables[i, p // block_size], not in block p // block_size (lengths 10 and 9, blocks of 4)."""
    q = randn(2, 2, 8, dtype=torch.float64, seed=31)
    k_cache = randn(6, 4, 2, 8, dtype=torch.float64, seed=32)
    v_cache = randn(6, 4, 2, 8, dtype=torch.float64, seed=33)
    table, lens = torch.tensor([[5, 3, 1], [4, 2, 0]]), torch.tensor([10, 9])
    expect_close(candidate.paged_attention(q, k_cache, v_cache, table, lens),
                 _oracle(q, k_cache, v_cache, table, lens))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_nan_in_unused_slots(candidate, dtype):
    """Every slot no sequence may read is NaN: the tail of each last block (lengths 5, 10, 3 in blocks of 4) and the free blocks. The output is finite and unchanged."""
    q, k_cache, v_cache, table, lens = _paged([5, 10, 3], 4, 3, 2, 8, dtype, seed=41)
    used = _used(k_cache, table, lens)
    k_nan, v_nan = _poison(k_cache, used), _poison(v_cache, used)
    out = candidate.paged_attention(q, k_nan, v_nan, table, lens)
    expect_finite(out)
    expect_close(out, _oracle(q, k_cache, v_cache, table, lens))


def test_minus_one_entries_and_nan_blocks(candidate):
    """Table entries past each last block are -1 and the free blocks 0 and num_blocks - 1 (what entry -1 or a clamped entry would read) are all NaN: the -1 entries must not be followed (lengths 8, 5 in blocks of 4)."""
    q = randn(2, 2, 8, dtype=torch.float64, seed=51)
    k_cache = randn(7, 4, 2, 8, dtype=torch.float64, seed=52)
    v_cache = randn(7, 4, 2, 8, dtype=torch.float64, seed=53)
    table, lens = torch.tensor([[3, 1, -1, -1], [5, 2, -1, -1]]), torch.tensor([8, 5])
    used = _used(k_cache, table, lens)
    k_nan, v_nan = _poison(k_cache, used), _poison(v_cache, used)
    out = candidate.paged_attention(q, k_nan, v_nan, table, lens)
    expect_finite(out)
    expect_close(out, _oracle(q, k_cache, v_cache, table, lens))


def test_out_of_range_entries(candidate):
    """Table entries past each last block hold block numbers that do not exist (num_blocks + 7): they must never be used to index the cache (lengths 4, 6, 1 in blocks of 4, int32 table)."""
    q, k_cache, v_cache, table, lens = _paged([4, 6, 1], 4, 3, 2, 8, torch.float64, seed=61,
                                              index_dtype=torch.int32)
    table = torch.where(table < 0, k_cache.shape[0] + 7, table).to(torch.int32)
    expect_close(candidate.paged_attention(q, k_cache, v_cache, table, lens),
                 _oracle(q, k_cache, v_cache, table, lens))


def test_shared_prefix_blocks(candidate):
    """Two sequences share the physical blocks of a common prefix (prefix caching): tables [[4, 1, 6], [4, 1, 0]], lengths 11 and 9, blocks of 4."""
    q = randn(2, 3, 8, dtype=torch.float64, seed=71)
    k_cache = randn(7, 4, 3, 8, dtype=torch.float64, seed=72)
    v_cache = randn(7, 4, 3, 8, dtype=torch.float64, seed=73)
    table, lens = torch.tensor([[4, 1, 6], [4, 1, 0]]), torch.tensor([11, 9])
    expect_close(candidate.paged_attention(q, k_cache, v_cache, table, lens),
                 _oracle(q, k_cache, v_cache, table, lens))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_large_scores(candidate, dtype):
    """q and the keys scaled by 40 (scores of several thousand): the output stays finite; in float64 it also matches the oracle."""
    q, k_cache, v_cache, table, lens = _paged([6, 3], 4, 2, 2, 16, dtype, seed=81, scale=40.0)
    out = candidate.paged_attention(q, k_cache, v_cache, table, lens)
    expect_finite(out)
    if dtype == torch.float64:
        expect_close(out, _oracle(q, k_cache, v_cache, table, lens))


def test_inputs_not_modified(candidate):
    """paged_attention leaves q, both caches, the block table and seq_lens exactly as it got them."""
    q, k_cache, v_cache, table, lens = _paged([5, 8], 4, 3, 2, 8, torch.float64, seed=91)
    out = check_inputs_unchanged(candidate.paged_attention, q, k_cache, v_cache, table, lens,
                                 names=["q", "k_cache", "v_cache", "block_tables", "seq_lens"])
    expect_close(out, _oracle(q, k_cache, v_cache, table, lens))


def test_gradients(candidate, reference):
    """Gradients reach q, k_cache and v_cache and equal the reference's (float64; slots no sequence reads get zero gradient)."""
    q, k_cache, v_cache, table, lens = _paged([5, 8, 2], 4, 3, 2, 8, torch.float64, seed=101)
    check_gradients(candidate.paged_attention, reference.paged_attention,
                    [q, k_cache, v_cache, table, lens], wrt=[0, 1, 2],
                    names=["q", "k_cache", "v_cache"])
