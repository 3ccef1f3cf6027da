"""Paged attention: the decode step of vLLM's PagedAttention.

A serving engine cannot give every sequence one contiguous KV cache of the
maximum length: it would reserve memory that most sequences never use. vLLM
borrows the idea of virtual memory instead. The cache is a pool of fixed-size
physical blocks shared by all sequences,

    k_cache, v_cache   [num_blocks, block_size, h, d]

and each sequence owns a block table, its list of physical blocks in logical
order: token p of sequence i lives in

    block  = block_tables[i, p // block_size]      (a physical block number)
    slot   = p % block_size                        (its place inside that block)

Blocks are handed out as sequences grow, in whatever order they come free, so a
sequence's blocks are scattered through the pool, and only the last one is
partly filled. For the new query of sequence i, attention runs over its first
L = seq_lens[i] tokens: the first ceil(L / block_size) entries of its table,
and of the last of those blocks only the slots before L. Table entries beyond
that, and every other slot of the pool, belong to someone else (or to no one)
and are never read:

    blocks = block_tables[i, :ceil(L / block_size)]                [n_blocks]
    k, v   = k_cache[blocks], v_cache[blocks] -> first L tokens    [L, h, d]
    out_i  = softmax(q_i . k / sqrt(d)) v                          [h, d]

The loop over sequences keeps the indexing readable; the real kernel runs one
thread block per (sequence, head) and reads the blocks straight from the pool
without building k and v.
"""

import math

import torch


def paged_attention(q: torch.Tensor, k_cache: torch.Tensor, v_cache: torch.Tensor,
                    block_tables: torch.Tensor, seq_lens: torch.Tensor) -> torch.Tensor:
    """One new query per sequence, q [b, h, d], over its seq_lens[i] tokens in the paged cache."""
    outputs = [
        _attend(q[i], *_gather(k_cache, v_cache, block_tables[i], int(seq_lens[i])))
        for i in range(q.shape[0])
    ]
    return torch.stack(outputs)                                        # [b, h, d]


def _gather(k_cache: torch.Tensor, v_cache: torch.Tensor, table: torch.Tensor, length: int):
    """The first `length` keys and values of one sequence, in logical order: [L, h, d] each."""
    _, block_size, h, d = k_cache.shape
    n_blocks = -(-length // block_size)                                # ceil(L / block_size)
    blocks = table[:n_blocks].long()                                   # [n_blocks] physical ids
    k = k_cache[blocks].reshape(n_blocks * block_size, h, d)[:length]  # [L, h, d]
    v = v_cache[blocks].reshape(n_blocks * block_size, h, d)[:length]  # [L, h, d]
    return k, v


def _attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Scaled dot-product attention of one query per head: q [h, d], k and v [L, h, d]."""
    scores = torch.einsum("hd,lhd->hl", q, k) / math.sqrt(q.shape[-1])  # [h, L]
    weights = torch.softmax(scores, dim=-1)                            # [h, L]
    return torch.einsum("hl,lhd->hd", weights, v)                      # [h, d]
