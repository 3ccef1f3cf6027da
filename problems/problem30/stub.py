"""problem30 · Paged attention (vLLM's block-table KV cache). Read the statement: attn-practice show problem30"""

import math

import torch


def paged_attention(q: torch.Tensor, k_cache: torch.Tensor, v_cache: torch.Tensor,
                    block_tables: torch.Tensor, seq_lens: torch.Tensor) -> torch.Tensor:
    """One decode step of attention over a paged KV cache.

    q [b, h, d]: one new query per sequence. k_cache, v_cache [num_blocks, block_size, h, d]:
    a pool of physical blocks shared by all sequences. block_tables [b, max_blocks] (int32
    or int64): block_tables[i, j] is the physical block holding tokens
    [j*block_size, (j+1)*block_size) of sequence i. seq_lens [b]: how many tokens each
    sequence has. Returns [b, h, d].
    """
    # TODO: for each sequence i, L = seq_lens[i] and n = ceil(L / block_size) blocks
    # TODO: look its blocks up in block_tables[i, :n]; gather their keys and values; keep the first L
    # TODO: never use table entries past the n-th, nor slots past L (they may be -1, out of range, NaN)
    # TODO: per head, softmax(q . k / sqrt(d)) over the L keys, weighted sum of the values; stack to [b, h, d]
    raise NotImplementedError("paged_attention is not written yet")
