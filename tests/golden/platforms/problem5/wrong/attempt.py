"""A failing attempt: softmax over the queries (dim=0) instead of the keys; it prints."""

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
    scores = query @ keys.T
    print("scores", tuple(scores.shape))
    weights = torch.softmax(scores, dim=0)
    return weights @ values
