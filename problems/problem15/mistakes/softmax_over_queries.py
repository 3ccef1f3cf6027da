"""Known mistake: softmax over the query axis (dim=-2)."""

import math

import torch


def symmetric_attention(x, m):
    d = x.shape[-1]
    a = (m + m.T) / 2
    scores = x @ a @ x.transpose(-2, -1) / math.sqrt(d)
    weights = torch.softmax(scores, dim=-2)
    return weights @ x, scores
