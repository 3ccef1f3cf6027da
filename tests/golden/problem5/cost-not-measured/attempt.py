"""Right on every hidden check, but fails on the larger input the cost is measured on (as an
attempt that runs out of memory there would): it passes, and the report says why the cost
is missing."""

import torch


def attention(query, keys, values):
    if keys.shape[0] > 1000:
        raise MemoryError("this attempt keeps every score of a long sequence")
    if not query.is_floating_point():
        query, keys, values = (t.to(torch.get_default_dtype()) for t in (query, keys, values))
    if query.shape[-1] != keys.shape[-1]:
        raise ValueError(f"query d={query.shape[-1]} but keys d={keys.shape[-1]}")
    if keys.shape[0] != values.shape[0]:
        raise ValueError(f"keys n={keys.shape[0]} but values n={values.shape[0]}")
    scores = torch.einsum("...d,nd->...n", query, keys)
    scores = scores - scores.amax(dim=-1, keepdim=True)
    weights = scores.exp() / scores.exp().sum(dim=-1, keepdim=True)
    return weights @ values
