"""Known mistake: exp of the raw scores, which overflows for large scores."""

import torch


def multi_hop_attention(query, keys, values, hops):
    if hops < 1:
        raise ValueError(f"hops must be at least 1, got {hops}")
    u = query
    steps = []
    for _ in range(hops):
        scores = keys @ u
        p = torch.exp(scores) / torch.exp(scores).sum()
        o = p @ values
        u = u + o
        steps.append(p)
    return u, torch.stack(steps)
