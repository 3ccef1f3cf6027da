"""Known mistake: x.T, which reverses every axis, instead of transposing the last two."""

import math

import torch


def symmetric_attention(x, m):
    d = x.shape[-1]
    a = (m + m.T) / 2
    scores = x @ a @ x.T / math.sqrt(d)
    weights = torch.softmax(scores, dim=-1)
    return weights @ x, scores
