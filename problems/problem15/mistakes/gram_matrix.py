"""Known mistake: uses m @ m.T (tied projections) instead of the symmetric part of m."""

import math

import torch


def symmetric_attention(x, m):
    d = x.shape[-1]
    a = m @ m.T
    scores = x @ a @ x.transpose(-2, -1) / math.sqrt(d)
    weights = torch.softmax(scores, dim=-1)
    return weights @ x, scores
