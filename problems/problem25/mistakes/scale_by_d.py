"""Known mistake: scores scaled by 1/sqrt(d) instead of 1/sqrt(d / num_heads)."""

import math

import torch


def cross_attention(x: torch.Tensor, memory: torch.Tensor,
                    w_q: torch.Tensor, w_k: torch.Tensor, w_v: torch.Tensor, w_o: torch.Tensor,
                    num_heads: int, memory_mask: torch.Tensor | None = None
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """Queries from x [b, m, d] attend over memory [b, n, d]; returns (output, per-head weights)."""
    d = x.shape[-1]
    if num_heads < 1:
        raise ValueError(f"num_heads must be at least 1, got num_heads = {num_heads}")
    if d % num_heads:
        raise ValueError(f"d = {d} is not divisible by num_heads = {num_heads}")

    q = split_heads(x @ w_q, num_heads)                        # [b, h, m, d_k]
    k = split_heads(memory @ w_k, num_heads)                   # [b, h, n, d_k]
    v = split_heads(memory @ w_v, num_heads)                   # [b, h, n, d_k]

    scores = q @ k.transpose(-2, -1) / math.sqrt(d)  # [b, h, m, n]
    if memory_mask is not None:
        keep = memory_mask[:, None, None, :]                   # [b, 1, 1, n]: per key, all queries
        scores = scores.masked_fill(~keep, float("-inf"))      # padding -> weight exactly 0
    weights = torch.softmax(scores, dim=-1)                    # [b, h, m, n], over the memory
    heads = weights @ v                                        # [b, h, m, d_k]
    return merge_heads(heads) @ w_o, weights                   # [b, m, d], [b, h, m, n]


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    """[b, t, d] -> [b, h, t, d_k]: head i gets features [i*d_k, (i+1)*d_k)."""
    b, t, d = x.shape
    return x.reshape(b, t, num_heads, d // num_heads).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """[b, h, t, d_k] -> [b, t, h*d_k]: the heads side by side, head 0 first."""
    b, h, t, d_k = x.shape
    return x.transpose(1, 2).reshape(b, t, h * d_k)
