"""problem11 · multi-head attention layer. Read the statement: attn-practice show problem11"""

import torch


def mha_forward(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                w_q: torch.Tensor, w_k: torch.Tensor, w_v: torch.Tensor, w_o: torch.Tensor,
                num_heads: int, mask: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """Multi-head attention of queries [b, m, d_model] over keys and values [b, n, d_model].

    Each w_* is [d_model, d_model] and applied on the right (query @ w_q).
    mask: optional bool, broadcastable to [b, num_heads, m, n], True = may attend.
    Returns (output [b, m, d_model], weights [b, num_heads, m, n]).
    """
    # TODO: raise ValueError (naming both numbers) if d_model is not divisible by num_heads,
    #       and (naming it) if num_heads < 1
    # TODO: project: query @ w_q, key @ w_k, value @ w_v
    # TODO: split each projection into heads along the features: [b, t, d_model] -> [b, h, t, d_k]
    # TODO: scores = q @ k^T / sqrt(d_k); where the mask is False, -inf; softmax over the keys
    # TODO: per-head outputs = weights @ v; merge the heads in order; multiply by w_o
    raise NotImplementedError("mha_forward is not written yet")
