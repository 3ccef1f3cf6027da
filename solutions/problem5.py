"""Simple attention: the guide's first coding exercise, done right.

    scores  = query @ keys.T          one score per key          [m, n]
    weights = softmax(scores)         over the keys (last axis)  [m, n], rows sum to 1
    output  = weights @ values        weighted average of values [m, d_v]

The guide's version calls `torch.softmax(similarity, dim=1)`: for its single
query the scores are 1-D, so `dim=1` does not exist, and its integer example
tensors cannot go through softmax at all. Taking the softmax over `dim=-1`
(the keys) works for one query [d] and for a batch [m, d] alike.
"""

import torch


def attention(query: torch.Tensor, keys: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """Dot-product attention of a query [d] (or queries [m, d]) over n keys."""
    query, keys, values = (_as_float(t) for t in (query, keys, values))
    if query.shape[-1] != keys.shape[-1]:
        raise ValueError(f"query {tuple(query.shape)} and keys {tuple(keys.shape)} differ in d")
    if keys.shape[0] != values.shape[0]:
        raise ValueError(f"keys {tuple(keys.shape)} and values {tuple(values.shape)} differ in n")

    scores = query @ keys.T                  # [m, n] (or [n] for one query)
    weights = torch.softmax(scores, dim=-1)  # over the keys; stable for large scores
    return weights @ values                  # [m, d_v] (or [d_v])


def _as_float(t: torch.Tensor) -> torch.Tensor:
    """Integer tensors (as in the guide's example) become the default float dtype."""
    return t if t.is_floating_point() else t.to(torch.get_default_dtype())
