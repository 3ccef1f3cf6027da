"""Known mistake: u += o updates the caller's query tensor in place."""

import torch


def multi_hop_attention(query, keys, values, hops):
    if hops < 1:
        raise ValueError(f"hops must be at least 1, got {hops}")
    u = query
    steps = []
    for _ in range(hops):
        scores = keys @ u
        p = torch.softmax(scores, dim=-1)
        o = p @ values
        u += o
        steps.append(p)
    return u, torch.stack(steps)
