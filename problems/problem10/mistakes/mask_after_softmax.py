"""Known mistake: the causal mask zeroes weights after the softmax, so rows no longer sum to 1."""

import math

import torch


def self_attention(x, w_q, w_k, w_v, causal=False):
    q, k, v = x @ w_q, x @ w_k, x @ w_v
    scores = q @ k.transpose(-2, -1) / math.sqrt(k.shape[-1])
    weights = torch.softmax(scores, dim=-1)
    if causal:
        n = x.shape[-2]
        allowed = torch.ones(n, n, dtype=torch.bool).tril()
        weights = weights.masked_fill(~allowed, 0.0)
    return weights @ v
