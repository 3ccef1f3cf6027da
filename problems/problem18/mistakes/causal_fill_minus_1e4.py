"""Known mistake: the causal mask fills future scores with the finite -1e4, which real scores can go below."""

import math

import torch


def grouped_query_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                            causal: bool = False) -> torch.Tensor:
    """Scaled dot-product attention where query head i reads key/value head i // (h_q // h_kv)."""
    b, h_q, n, d = q.shape
    h_kv = k.shape[1]
    if h_kv < 1 or h_q % h_kv:
        raise ValueError(f"h_q = {h_q} query heads cannot be split into groups over "
                         f"h_kv = {h_kv} key/value heads (h_q % h_kv must be 0)")
    g = h_q // h_kv
    qg = q.reshape(b, h_kv, g, n, d)                                   # [b, h_kv, g, n, d]
    kg, vg = k.unsqueeze(2), v.unsqueeze(2)                            # [b, h_kv, 1, n, d]
    scores = qg @ kg.transpose(-2, -1) / math.sqrt(d)                  # [b, h_kv, g, n, n]
    if causal:
        future = torch.ones(n, n, dtype=torch.bool, device=q.device).triu(diagonal=1)  # j > i
        scores = scores.masked_fill(future, -1e4)       # a finite "very negative"
    out = torch.softmax(scores, dim=-1) @ vg                           # [b, h_kv, g, n, d]
    return out.reshape(b, h_q, n, d)                                   # [b, h_q, n, d]
