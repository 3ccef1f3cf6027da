"""problem19 · attention fusion. Read the statement: attn-practice show problem19"""

import math

import torch


def fused_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, window: int,
                    gate: torch.Tensor) -> torch.Tensor:
    """Gated mix of global and local (sliding-window) scaled dot-product attention.

    q, k, v: [..., n, d]; window >= 0; gate: logits broadcastable to [..., n, 1].
    Returns g * global + (1 - g) * local, g = sigmoid(gate), shape [..., n, d].
    """
    # TODO: raise ValueError (naming window) if window < 0
    # TODO: scores = q @ k.T / sqrt(d); global = softmax over all keys, then @ v
    # TODO: local = the same, but scores with |i - j| > window set to -inf before the softmax
    # TODO: g = sigmoid(gate); return g * global + (1 - g) * local
    raise NotImplementedError("fused_attention is not written yet")
