"""Symmetric attention: one symmetric bilinear form scores every pair of tokens.

    A       = (m + m.T) / 2                symmetric part of m           [d, d]
    scores  = x @ A @ x.T / sqrt(d)        scores[i, j] == scores[j, i]  [..., n, n]
    weights = softmax(scores)              over the keys (last axis)     [..., n, n]
    output  = weights @ x                  tokens are their own values   [..., n, d]

Ordinary attention scores a pair with x_i W_q (x_j W_k)^T = x_i M x_j^T, where
M = W_q W_k^T need not be symmetric, so i may score j differently from how j
scores i. Making M symmetric (tying W_q = W_k gives M = W W^T; here any m is
symmetrised) leaves d(d+1)/2 free numbers instead of d^2: that is the
"parameter saving" the guide mentions without saying how it works. The price
is that the scores can no longer be asymmetric. The weights still are: each row
is normalised over its own keys.
"""

import math

import torch


def symmetric_attention(x: torch.Tensor, m: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Self-attention of x [..., n, d] scored by the symmetric part of m [d, d]."""
    d = x.shape[-1]
    a = (m + m.T) / 2                                     # [d, d], a == a.T
    scores = x @ a @ x.transpose(-2, -1) / math.sqrt(d)   # [..., n, n], symmetric
    weights = torch.softmax(scores, dim=-1)               # [..., n, n], rows sum to 1
    return weights @ x, scores                            # [..., n, d], [..., n, n]
