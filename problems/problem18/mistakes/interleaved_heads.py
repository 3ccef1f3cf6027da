"""Known mistake: query head i reads key/value head i % h_kv (as k.repeat(1, g, 1, 1) does)."""

import math

import torch


def grouped_query_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                            causal: bool = False) -> torch.Tensor:
    """Scaled dot-product attention where query head i reads key/value head i % h_kv."""
    b, h_q, n, d = q.shape
    h_kv = k.shape[1]
    if h_kv < 1 or h_q % h_kv:
        raise ValueError(f"h_q = {h_q} query heads cannot be split into groups over "
                         f"h_kv = {h_kv} key/value heads (h_q % h_kv must be 0)")
    g = h_q // h_kv
    kg, vg = k.repeat(1, g, 1, 1), v.repeat(1, g, 1, 1)                # [b, h_q, n, d] 0,1,0,1,...
    scores = q @ kg.transpose(-2, -1) / math.sqrt(d)                   # [b, h_q, n, n]
    if causal:
        future = torch.ones(n, n, dtype=torch.bool, device=q.device).triu(diagonal=1)  # j > i
        scores = scores.masked_fill(future, float("-inf"))             # [b, h_q, n, n]
    out = torch.softmax(scores, dim=-1) @ vg                           # [b, h_q, n, d]
    return out                                                         # [b, h_q, n, d]
