"""Known mistake: one query is unsqueezed to [1, d] and the output squeezed back with .squeeze(), which also drops d_v = 1."""

import math

import torch


def shared_attention(query, keys, values, weight):
    single = query.dim() == 1
    if single:
        query = query.unsqueeze(0)                      # [1, d]
    d_k = weight.shape[-1]
    q = query @ weight                                  # [m, d_k]
    k = keys @ weight                                   # [n, d_k]
    scores = q @ k.T / math.sqrt(d_k)                   # [m, n]
    out = torch.softmax(scores, dim=-1) @ values        # [m, d_v]
    return out.squeeze() if single else out             # drops every size-1 axis
