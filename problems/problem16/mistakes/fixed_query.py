"""Known mistake: every hop scores the keys with the original query, so nothing is refined."""

import torch


def multi_hop_attention(query, keys, values, hops):
    if hops < 1:
        raise ValueError(f"hops must be at least 1, got {hops}")
    u = query
    steps = []
    for _ in range(hops):
        scores = keys @ query
        p = torch.softmax(scores, dim=-1)
        o = p @ values
        u = u + o
        steps.append(p)
    return u, torch.stack(steps)
