"""Known mistake: splits the sequence into h sub-sequences (as the guide says) instead of
the features."""

import math

import torch


def _check(d, d_v, num_heads):
    if num_heads < 1:
        raise ValueError(f"num_heads must be at least 1, got num_heads = {num_heads}")
    if d % num_heads or d_v % num_heads:
        raise ValueError(f"d = {d} and d_v = {d_v} must both be divisible by "
                         f"num_heads = {num_heads}")


def multi_head_attention(query, keys, values, num_heads):
    _check(query.shape[-1], values.shape[-1], num_heads)
    qs = torch.tensor_split(query, num_heads, dim=-2)
    ks = torch.tensor_split(keys, num_heads, dim=-2)
    vs = torch.tensor_split(values, num_heads, dim=-2)
    outs = []
    for q, k, v in zip(qs, ks, vs):
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        outs.append(torch.softmax(scores, dim=-1) @ v)
    return torch.cat(outs, dim=-2)
