"""Known mistake: the running maximum starts at 0 instead of -inf, so rows of very negative scores give 0 / 0."""

import math

import torch


def chunked_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                      chunk_size: int) -> torch.Tensor:
    """softmax(q @ k.T / sqrt(d)) @ v, visiting the keys in chunks of chunk_size."""
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    n, scale = k.shape[-2], 1.0 / math.sqrt(q.shape[-1])

    mx = q.new_zeros((*q.shape[:-1], 1))                     # [..., m, 1], should be -inf
    l = q.new_zeros((*q.shape[:-1], 1))                      # [..., m, 1]
    acc = q.new_zeros((*q.shape[:-1], v.shape[-1]))          # [..., m, d_v]
    for start in range(0, n, chunk_size):                    # the last chunk may be shorter
        kc = k[..., start:start + chunk_size, :]             # [..., c, d]
        vc = v[..., start:start + chunk_size, :]             # [..., c, d_v]
        s = q @ kc.transpose(-2, -1) * scale                 # [..., m, c]
        mx_new = torch.maximum(mx, s.amax(dim=-1, keepdim=True))  # [..., m, 1]
        alpha = torch.exp(mx - mx_new)                       # [..., m, 1], rescales the past
        p = torch.exp(s - mx_new)                            # [..., m, c], each <= 1
        l = alpha * l + p.sum(dim=-1, keepdim=True)          # [..., m, 1]
        acc = alpha * acc + p @ vc                           # [..., m, d_v]
        mx = mx_new
    return acc / l                                           # [..., m, d_v]
