"""problem7 · multi-head attention. Read the statement: attn-practice show problem7"""

import math

import torch


def multi_head_attention(query: torch.Tensor, keys: torch.Tensor, values: torch.Tensor,
                         num_heads: int) -> torch.Tensor:
    """Multi-head attention (no projections) of queries [..., m, d] over keys [..., n, d].

    values: [..., n, d_v]. The heads split the feature dimension: head i uses
    features [i*d/h, (i+1)*d/h) of query and keys and [i*d_v/h, (i+1)*d_v/h) of
    values. Returns the heads' outputs side by side: [..., m, d_v].
    """
    # TODO: raise ValueError if num_heads < 1, or if d or d_v is not divisible by
    #       num_heads (name the sizes in the message)
    # TODO: split query, keys and values into heads along the LAST axis:
    #       [..., s, f] -> [..., num_heads, s, f / num_heads]
    # TODO: per head: scores = q @ k^T / sqrt(d / num_heads), softmax over the keys,
    #       weights @ v
    # TODO: put the heads back side by side, head 0 first: [..., m, d_v]
    raise NotImplementedError("multi_head_attention is not written yet")
