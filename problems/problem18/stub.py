"""problem18 · grouped-query attention. Read the statement: attn-practice show problem18"""

import math

import torch


def grouped_query_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                            causal: bool = False) -> torch.Tensor:
    """Attention of q [b, h_q, n, d] over k, v [b, h_kv, n, d], key/value heads shared by groups.

    Query head i uses key/value head i // (h_q // h_kv). Returns [b, h_q, n, d].
    """
    # TODO: raise ValueError (naming h_q and h_kv) unless h_q % h_kv == 0
    # TODO: line up each query head with its key/value head i // (h_q // h_kv)
    # TODO: scores q @ k^T / sqrt(d); if causal, -inf where j > i; softmax over the keys
    # TODO: weights @ v, returned as [b, h_q, n, d]
    raise NotImplementedError("grouped_query_attention is not written yet")
