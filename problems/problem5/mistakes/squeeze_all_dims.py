"""Known mistake: one query is unsqueezed to [1, d] and the output squeezed back with .squeeze(), which also drops d_v = 1."""

import torch


def _as_float(t):
    return t if t.is_floating_point() else t.to(torch.get_default_dtype())


def _check(query, keys, values):
    if query.shape[-1] != keys.shape[-1]:
        raise ValueError(f"query {tuple(query.shape)} and keys {tuple(keys.shape)} differ in d")
    if keys.shape[0] != values.shape[0]:
        raise ValueError(f"keys {tuple(keys.shape)} and values {tuple(values.shape)} differ in n")


def attention(query, keys, values):
    query, keys, values = _as_float(query), _as_float(keys), _as_float(values)
    _check(query, keys, values)
    single = query.dim() == 1
    if single:
        query = query.unsqueeze(0)                      # [1, d]
    weights = torch.softmax(query @ keys.T, dim=-1)     # [m, n]
    out = weights @ values                              # [m, d_v]
    return out.squeeze() if single else out             # drops every size-1 axis
