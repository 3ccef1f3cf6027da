"""Known mistake: heads are split with reshape(b, h, t, d_k), without a transpose (merged correctly)."""

import math

import torch


def mha_forward(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                w_q: torch.Tensor, w_k: torch.Tensor, w_v: torch.Tensor, w_o: torch.Tensor,
                num_heads: int, mask: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """Multi-head attention of queries [b, m, d_model] over keys/values [b, n, d_model]."""
    d_model = query.shape[-1]
    if num_heads < 1 or d_model % num_heads != 0:
        raise ValueError(f"d_model = {d_model} is not divisible by num_heads = {num_heads}")

    q = split_heads(query @ w_q, num_heads)                  # [b, h, m, d_k]
    k = split_heads(key @ w_k, num_heads)                    # [b, h, n, d_k]
    v = split_heads(value @ w_v, num_heads)                  # [b, h, n, d_k]

    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # [b, h, m, n]
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))      # True = may attend
    weights = torch.softmax(scores, dim=-1)                    # [b, h, m, n], over the keys
    heads = weights @ v                                        # [b, h, m, d_k]
    return merge_heads(heads) @ w_o, weights                   # [b, m, d_model], [b, h, m, n]


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    """[b, t, d_model] -> [b, h, t, d_k] by a reshape alone: memory order, not features."""
    b, t, d_model = x.shape
    return x.reshape(b, num_heads, t, d_model // num_heads)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """[b, h, t, d_k] -> [b, t, h*d_k]: the heads side by side, head 0 first."""
    b, h, t, d_k = x.shape
    return x.transpose(1, 2).reshape(b, t, h * d_k)
