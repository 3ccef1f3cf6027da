"""Scaled dot-product attention with a boolean mask, as in "Attention Is All You Need".

    scores  = q @ k^T / sqrt(d)                  one score per (query, key)   [..., m, n]
    scores  = where(mask, scores, very negative) masked keys cannot win       [..., m, n]
    weights = softmax(scores) * mask             over the keys (last axis)    [..., m, n]
    output  = weights @ v                        weighted average of values   [..., m, d_v]

Why 1/sqrt(d): if the d features of a query and a key are independent with
mean 0 and variance 1, their dot product has variance d. For d = 64 the scores
are spread over about +-8 standard units, the softmax collapses onto one key,
and its gradient (which is p_i (1 - p_i) for each weight) all but vanishes.
Dividing by sqrt(d) brings the variance back to 1. The guide only says the
factor "balances" weights that are "too dispersed": it is the opposite, the
unscaled weights are too peaked.

Cost: every query scores every key, so this is O(m * n * d) time and O(m * n)
memory for the weights, not the guide's "O(1)".

The mask: masked keys are filled with the dtype's most negative finite value
(not -inf), so a query whose keys are all masked still gets a finite softmax,
which the final `* mask` turns into exact zeros: all-zero weights and an
all-zero output, never NaN, and zero gradients.
"""

import math

import torch


def scaled_dot_product_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                                 mask: torch.Tensor | None = None
                                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """Attention of queries [..., m, d] over keys [..., n, d]; returns (output, weights)."""
    d = q.size(-1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)                      # [..., m, n]
    if mask is not None:
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)  # [..., m, n]
    weights = torch.softmax(scores, dim=-1)                              # [..., m, n]
    if mask is not None:
        weights = weights * mask                  # exact zeros; fully masked rows all zero
    return weights @ v, weights                                          # [..., m, d_v], [..., m, n]
