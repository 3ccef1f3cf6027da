"""Known mistake: the merged output is reshaped with the keys' length n (works only when
m == n)."""

import math

import torch


def _check(d, d_v, num_heads):
    if num_heads < 1:
        raise ValueError(f"num_heads must be at least 1, got num_heads = {num_heads}")
    if d % num_heads or d_v % num_heads:
        raise ValueError(f"d = {d} and d_v = {d_v} must both be divisible by "
                         f"num_heads = {num_heads}")


def _split(x, h):
    return x.unflatten(-1, (h, -1)).transpose(-3, -2)


def multi_head_attention(query, keys, values, num_heads):
    *lead, n, d_v = values.shape
    d = query.shape[-1]
    _check(d, d_v, num_heads)
    q, k, v = _split(query, num_heads), _split(keys, num_heads), _split(values, num_heads)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d // num_heads)
    heads = torch.softmax(scores, dim=-1) @ v
    return heads.transpose(-3, -2).reshape(*lead, n, d_v)
