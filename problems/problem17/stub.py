"""problem17 · online-softmax attention. Read the statement: attn-practice show problem17"""

import math

import torch


def chunked_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                      chunk_size: int) -> torch.Tensor:
    """Scaled dot-product attention of q [..., m, d] over k [..., n, d], v [..., n, d_v].

    The keys are visited in consecutive chunks of chunk_size (the last may be
    shorter); only one chunk's scores [..., m, chunk_size] exist at a time.
    Returns [..., m, d_v], equal to softmax(q @ k.T / sqrt(d)) @ v.
    """
    # TODO: raise ValueError (naming chunk_size) if chunk_size < 1
    # TODO: start a running maximum (-inf), normaliser (0) and weighted sum (0) per query
    # TODO: for each chunk of keys: its scaled scores, the new maximum, rescale the running
    #       normaliser and weighted sum by exp(old max - new max), add the chunk's terms
    # TODO: return weighted sum / normaliser
    raise NotImplementedError("chunked_attention is not written yet")
