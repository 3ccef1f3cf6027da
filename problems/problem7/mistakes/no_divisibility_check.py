"""Known mistake: head size d // h with no check, so leftover features are silently dropped."""

import math

import torch


def multi_head_attention(query, keys, values, num_heads):
    if num_heads < 1:
        raise ValueError(f"num_heads must be at least 1, got num_heads = {num_heads}")
    dh, dvh = query.shape[-1] // num_heads, values.shape[-1] // num_heads
    outs = []
    for i in range(num_heads):
        q = query[..., i * dh:(i + 1) * dh]
        k = keys[..., i * dh:(i + 1) * dh]
        v = values[..., i * dvh:(i + 1) * dvh]
        scores = q @ k.transpose(-2, -1) / math.sqrt(dh)
        outs.append(torch.softmax(scores, dim=-1) @ v)
    return torch.cat(outs, dim=-1)
