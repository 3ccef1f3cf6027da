"""Known mistake: the loop runs hops + 1 times (one hop too many)."""

import torch


def multi_hop_attention(query, keys, values, hops):
    if hops < 1:
        raise ValueError(f"hops must be at least 1, got {hops}")
    u = query
    steps = []
    for _ in range(hops + 1):
        scores = keys @ u
        p = torch.softmax(scores, dim=-1)
        o = p @ values
        u = u + o
        steps.append(p)
    return u, torch.stack(steps)
