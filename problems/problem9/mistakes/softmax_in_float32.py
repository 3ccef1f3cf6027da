"""Known mistake: the softmax runs in float32 and is cast back, so float64 calls lose precision."""

import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    weights = torch.softmax(scores.float(), dim=-1).to(scores.dtype)
    if mask is not None:
        weights = weights * mask
    return weights @ v, weights
