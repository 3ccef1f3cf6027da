"""Known mistake: uses m directly, without taking its symmetric part."""

import math

import torch


def symmetric_attention(x, m):
    d = x.shape[-1]
    a = m
    scores = x @ a @ x.transpose(-2, -1) / math.sqrt(d)
    weights = torch.softmax(scores, dim=-1)
    return weights @ x, scores
