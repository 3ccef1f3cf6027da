"""Known mistake: the causal mask fills future scores with the finite -1e4, which real scores can go below."""

import math

import torch


def self_attention(x: torch.Tensor, w_q: torch.Tensor, w_k: torch.Tensor, w_v: torch.Tensor,
                   causal: bool = False) -> torch.Tensor:
    """Scaled dot-product self-attention of x [..., n, d_model]; causal: i attends to j <= i."""
    d_k = w_k.shape[-1]
    q = x @ w_q                                        # [..., n, d_k]
    k = x @ w_k                                        # [..., n, d_k]
    v = x @ w_v                                        # [..., n, d_v]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)  # [..., n, n], last two axes only
    if causal:
        allowed = _causal_mask(x.shape[-2], x.device)  # [n, n], j <= i
        scores = scores.masked_fill(~allowed, -1e4)       # a finite "very negative"
    weights = torch.softmax(scores, dim=-1)            # [..., n, n], rows sum to 1
    return weights @ v                                 # [..., n, d_v]


def _causal_mask(n: int, device: torch.device) -> torch.Tensor:
    """[n, n] bool, True where query i may attend to key j, i.e. j <= i."""
    return torch.ones(n, n, dtype=torch.bool, device=device).tril()
