"""Known mistake: a BERT-style additive -10000 on masked scores instead of excluding them."""

import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores - 10000.0 * (~mask)
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
