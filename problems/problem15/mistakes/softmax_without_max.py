"""Known mistake: exp without subtracting the maximum, so large scores overflow."""

import math

import torch


def symmetric_attention(x, m):
    d = x.shape[-1]
    a = (m + m.T) / 2
    scores = x @ a @ x.transpose(-2, -1) / math.sqrt(d)
    e = torch.exp(scores)
    weights = e / e.sum(dim=-1, keepdim=True)
    return weights @ x, scores
