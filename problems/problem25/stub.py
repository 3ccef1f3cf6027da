"""problem25 · cross-attention. Read the statement: attn-practice show problem25"""

import torch


def cross_attention(x: torch.Tensor, memory: torch.Tensor,
                    w_q: torch.Tensor, w_k: torch.Tensor, w_v: torch.Tensor, w_o: torch.Tensor,
                    num_heads: int, memory_mask: torch.Tensor | None = None
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """Decoder states x [b, m, d] (the queries) attend over the encoder's memory [b, n, d].

    Each w_* is [d, d] and applied on the right (x @ w_q, memory @ w_k, memory @ w_v).
    memory_mask: optional bool [b, n], True = a real token, False = padding.
    Returns (output [b, m, d], weights [b, num_heads, m, n]).
    """
    # TODO: raise ValueError (naming the numbers) if num_heads < 1 or d is not divisible by it
    # TODO: queries from x, keys and values from memory; split each into heads along the features
    # TODO: scores = q @ k^T / sqrt(d_k), [b, h, m, n]; -inf at padded memory positions
    # TODO: softmax over the memory positions; per-head outputs = weights @ v
    # TODO: merge the heads in order, multiply by w_o, return (output, weights of every head)
    raise NotImplementedError("cross_attention is not written yet")
