"""Known mistake: the values are pushed through the shared weight as well."""

import math

import torch


def shared_attention(query, keys, values, weight):
    d_k = weight.shape[-1]
    q = query @ weight
    k = keys @ weight
    scores = q @ k.T / math.sqrt(d_k)
    weights = torch.softmax(scores, dim=-1)
    return weights @ (values @ weight)
