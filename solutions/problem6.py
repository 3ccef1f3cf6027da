"""Shared attention: one projection matrix serves the queries and the keys.

    q       = query @ weight              queries in the shared space  [m, d_k]
    k       = keys @ weight               keys in the same space       [n, d_k]
    scores  = q @ k.T / sqrt(d_k)         one score per key            [m, n]
    weights = softmax(scores)             over the keys (last axis)    [m, n]
    output  = weights @ values            weighted average of values   [m, d_v]

Sharing means the two sides are compared after the same map, so the score is
the bilinear form query @ (weight @ weight.T) @ key / sqrt(d_k): symmetric, with
d * d_k parameters instead of the 2 * d * d_k of separate W_q and W_k.

The guide's code multiplies only the query by its "shared" weights and never
touches the keys, so the keys play no part in the scores (and the call crashes
on its own integer example, then again on `softmax(..., dim=1)` of a 1-D
tensor). Its answer text also describes sharing as reusing weights "across
tasks"; the sharing here is between the query side and the key side of one
attention.
"""

import math

import torch


def shared_attention(query: torch.Tensor, keys: torch.Tensor, values: torch.Tensor,
                     weight: torch.Tensor) -> torch.Tensor:
    """Attention of query [d] (or [m, d]) over keys [n, d], both projected by weight [d, d_k]."""
    d_k = weight.shape[-1]
    q = query @ weight                        # [m, d_k] (or [d_k] for one query)
    k = keys @ weight                         # [n, d_k], the same weight
    scores = q @ k.T / math.sqrt(d_k)         # [m, n] (or [n])
    weights = torch.softmax(scores, dim=-1)   # over the keys; stable for large scores
    return weights @ values                   # [m, d_v] (or [d_v])
