"""Known mistake: the running normaliser is not rescaled when the maximum grows."""

import math

import torch


def chunked_attention(q, k, v, chunk_size):
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    n, scale = k.shape[-2], 1.0 / math.sqrt(q.shape[-1])
    mx = q.new_full((*q.shape[:-1], 1), -math.inf)
    l = q.new_zeros((*q.shape[:-1], 1))
    acc = q.new_zeros((*q.shape[:-1], v.shape[-1]))
    for start in range(0, n, chunk_size):
        kc = k[..., start:start + chunk_size, :]
        vc = v[..., start:start + chunk_size, :]
        s = q @ kc.transpose(-2, -1) * scale
        mx_new = torch.maximum(mx, s.amax(dim=-1, keepdim=True))
        alpha = torch.exp(mx - mx_new)
        p = torch.exp(s - mx_new)
        l = l + p.sum(dim=-1, keepdim=True)
        acc = alpha * acc + p @ vc
        mx = mx_new
    return acc / l
