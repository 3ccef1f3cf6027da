"""Known mistake: 2^(-8(i+1)/h) for every head count, not only for powers of two."""

import math

import torch


def alibi_slopes(num_heads):
    if num_heads < 1:
        raise ValueError(f"num_heads must be at least 1, got {num_heads}")
    return 2.0 ** (-8.0 * torch.arange(1, num_heads + 1, dtype=torch.float32) / num_heads)


def alibi_attention(q, k, v, causal=True):
    b, h, n, d = q.shape
    slopes = 2.0 ** (-8.0 * torch.arange(1, h + 1, dtype=q.dtype) / h)
    pos = torch.arange(n)
    distance = (pos[:, None] - pos[None, :]).to(q.dtype)
    if not causal:
        distance = distance.abs()
    scores = q @ k.transpose(-2, -1) / math.sqrt(d) - slopes[:, None, None] * distance
    if causal:
        scores = scores.masked_fill(pos[None, :] > pos[:, None], float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
