"""Known mistake: vectorised over all max_blocks table entries, including the ones past a sequence's last
block, which are used as block numbers without being clamped."""

import math

import torch


def paged_attention(q: torch.Tensor, k_cache: torch.Tensor, v_cache: torch.Tensor,
                    block_tables: torch.Tensor, seq_lens: torch.Tensor) -> torch.Tensor:
    """All sequences at once: gather every table entry, then mask the positions past seq_lens."""
    b, h, d = q.shape
    num_blocks, block_size = k_cache.shape[:2]
    max_blocks = block_tables.shape[1]
    table = block_tables.long()                                        # [b, M]
    k = k_cache[table].reshape(b, max_blocks * block_size, h, d)       # [b, T, h, d]
    v = v_cache[table].reshape(b, max_blocks * block_size, h, d)       # [b, T, h, d]
    valid = torch.arange(max_blocks * block_size) < seq_lens[:, None]  # [b, T]
    scores = torch.einsum("bhd,bthd->bht", q, k) / math.sqrt(d)        # [b, h, T]
    scores = scores.masked_fill(~valid[:, None, :], float("-inf"))     # [b, h, T]
    weights = torch.softmax(scores, dim=-1)                            # [b, h, T]
    v = v.masked_fill(~valid[:, :, None, None], 0.0)                   # [b, T, h, d]
    return torch.einsum("bht,bthd->bhd", weights, v)                   # [b, h, d]
