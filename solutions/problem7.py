"""Multi-head attention without projections: the guide's third coding exercise, done right.

The heads share the sequence and split the features. With h heads, head i sees
the slice [i*d/h, (i+1)*d/h) of every query and key and the slice
[i*d_v/h, (i+1)*d_v/h) of every value, attends over the WHOLE sequence, and the
heads' outputs are put back side by side in the same order:

    q, k, v  = split(query), split(keys), split(values)   [..., h, m|n, d/h or d_v/h]
    scores   = q @ k^T / sqrt(d/h)                        [..., h, m, n]
    weights  = softmax(scores) over the keys              [..., h, m, n]
    output   = merge(weights @ v)                         [..., m, d_v]

Each head is scaled dot-product attention in a d/h-dimensional space, so its
scale is 1/sqrt(d/h), not 1/sqrt(d). With one head this is plain scaled
dot-product attention.

The guide says multi-head attention "splits the input sequence into
sub-sequences". It does not: every head sees every position; what is divided is
the feature dimension. Its reference code never uses `num_heads` (it splits the
query into single numbers with `torch.split(query, 1)`), calls softmax with
`dim=1` on a 1-D tensor (IndexError), and "fuses the weights" instead of
concatenating the heads' outputs.
"""

import math

import torch


def multi_head_attention(query: torch.Tensor, keys: torch.Tensor, values: torch.Tensor,
                         num_heads: int) -> torch.Tensor:
    """Split the features into num_heads heads, attend per head, concatenate the heads."""
    d, d_v = query.shape[-1], values.shape[-1]
    if num_heads < 1:
        raise ValueError(f"num_heads must be at least 1, got num_heads = {num_heads}")
    if d % num_heads or d_v % num_heads:
        raise ValueError(f"d = {d} and d_v = {d_v} must both be divisible by "
                         f"num_heads = {num_heads}")

    q = split_heads(query, num_heads)                        # [..., h, m, d/h]
    k = split_heads(keys, num_heads)                         # [..., h, n, d/h]
    v = split_heads(values, num_heads)                       # [..., h, n, d_v/h]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d // num_heads)  # [..., h, m, n]
    weights = torch.softmax(scores, dim=-1)                  # [..., h, m, n], over the keys
    return merge_heads(weights @ v)                          # [..., m, d_v]


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    """[..., s, f] -> [..., h, s, f/h]: head i gets features [i*f/h, (i+1)*f/h)."""
    x = x.unflatten(-1, (num_heads, -1))                     # [..., s, h, f/h]
    return x.transpose(-3, -2)                               # [..., h, s, f/h]


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """[..., h, s, f/h] -> [..., s, f]: the heads side by side, head 0 first."""
    return x.transpose(-3, -2).flatten(-2)                   # [..., s, f]
