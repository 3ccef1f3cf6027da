"""Known mistake: padding scores filled with the finite -1e4, which real scores can go below."""

import math

import torch


def bert_self_attention(hidden: torch.Tensor, attention_mask: torch.Tensor,
                        w_q: torch.Tensor, w_k: torch.Tensor, w_v: torch.Tensor,
                        w_o: torch.Tensor, num_heads: int) -> torch.Tensor:
    """Bidirectional multi-head self-attention over hidden [b, n, d], padding keys masked out."""
    d = hidden.shape[-1]
    if num_heads < 1 or d % num_heads != 0:
        raise ValueError(f"d = {d} is not divisible by num_heads = {num_heads}")

    q = split_heads(hidden @ w_q, num_heads)                  # [b, h, n, d_k]
    k = split_heads(hidden @ w_k, num_heads)                  # [b, h, n, d_k]
    v = split_heads(hidden @ w_v, num_heads)                  # [b, h, n, d_k]

    keep = (attention_mask != 0)[:, None, None, :]            # [b, 1, 1, n]: real keys
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # [b, h, n, n]
    scores = scores.masked_fill(~keep, -1e4)   # a finite "very negative"
    weights = torch.softmax(scores, dim=-1)                    # [b, h, n, n], over the keys
    return merge_heads(weights @ v) @ w_o                      # [b, n, d]


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    """[b, n, d] -> [b, h, n, d_k]: head i gets features [i*d_k, (i+1)*d_k)."""
    b, n, d = x.shape
    return x.reshape(b, n, num_heads, d // num_heads).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """[b, h, n, d_k] -> [b, n, h*d_k]: the heads side by side, head 0 first."""
    b, h, n, d_k = x.shape
    return x.transpose(1, 2).reshape(b, n, h * d_k)
