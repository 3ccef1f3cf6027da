"""Known mistake: no check that hops >= 1."""

import torch


def multi_hop_attention(query, keys, values, hops):
    u = query
    steps = []
    for _ in range(hops):
        scores = keys @ u
        p = torch.softmax(scores, dim=-1)
        o = p @ values
        u = u + o
        steps.append(p)
    return u, torch.stack(steps)
