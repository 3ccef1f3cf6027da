"""Known mistake: seq_lens[i] + 1 tokens are attended to (slots 0..seq_len inclusive), one stale slot too many."""

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
    k = k_cache[blocks].reshape(n_blocks * block_size, h, d)[:length + 1]  # [L + 1, h, d]
    v = v_cache[blocks].reshape(n_blocks * block_size, h, d)[:length + 1]  # [L + 1, h, d]
    return k, v


def _attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Scaled dot-product attention of one query per head: q [h, d], k and v [L, h, d]."""
    scores = torch.einsum("hd,lhd->hl", q, k) / math.sqrt(q.shape[-1])  # [h, L]
    weights = torch.softmax(scores, dim=-1)                            # [h, L]
    return torch.einsum("hl,lhd->hd", weights, v)                      # [h, d]
