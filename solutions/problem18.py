"""Grouped-query attention: many query heads share a few key/value heads.

With h_q query heads and h_kv key/value heads (h_kv divides h_q), the query heads
form h_kv consecutive groups of g = h_q / h_kv; every head of group j reads key/value
head j, so query head i uses key/value head i // g:

    q  [b, h_q, n, d]  ->  [b, h_kv, g, n, d]    group j = query heads j*g .. j*g+g-1
    k, v [b, h_kv, n, d] -> [b, h_kv, 1, n, d]   broadcast over the g heads of a group
    out = softmax(q k^T / sqrt(d)) v             per head, optional causal mask

h_kv = h_q is ordinary multi-head attention, h_kv = 1 is multi-query attention.
Broadcasting gives the same result as k.repeat_interleave(g, dim=1) without ever
building the repeated keys and values.

The guide's "shared attention" shares one projection matrix between queries and
keys to save parameters. Large language models share something else: the keys and
values, across heads, because what limits them is the KV cache kept for every
generated token (2 * layers * h_kv * d * bytes per token), and it shrinks by g.
"""

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
        scores = scores.masked_fill(future, float("-inf"))             # [b, h_kv, g, n, n]
    out = torch.softmax(scores, dim=-1) @ vg                           # [b, h_kv, g, n, d]
    return out.reshape(b, h_q, n, d)                                   # [b, h_q, n, d]
