"""Known mistake: the shared weight is detached, so no gradient ever reaches it."""

import math

import torch


def shared_attention(query, keys, values, weight):
    weight = weight.detach()
    d_k = weight.shape[-1]
    q = query @ weight
    k = keys @ weight
    scores = q @ k.T / math.sqrt(d_k)
    weights = torch.softmax(scores, dim=-1)
    return weights @ values
