"""Known mistake: no 1/sqrt(d) scaling of the scores."""

import math

import torch


def symmetric_attention(x, m):
    d = x.shape[-1]
    a = (m + m.T) / 2
    scores = x @ a @ x.transpose(-2, -1)
    weights = torch.softmax(scores, dim=-1)
    return weights @ x, scores
