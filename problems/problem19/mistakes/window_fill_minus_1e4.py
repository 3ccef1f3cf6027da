"""Known mistake: the local window fills outside scores with the finite -1e4, which real scores can go below."""

import math

import torch


def fused_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, window: int,
                    gate: torch.Tensor) -> torch.Tensor:
    """g * global + (1 - g) * local attention, g = sigmoid(gate) broadcast to [..., n, 1]."""
    if window < 0:
        raise ValueError(f"window must be at least 0, got {window}")
    n = q.shape[-2]
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])        # [..., n, n]
    pos = torch.arange(n, device=q.device)                            # [n]
    near = (pos[:, None] - pos[None, :]).abs() <= window              # [n, n], True = may attend

    global_out = torch.softmax(scores, dim=-1) @ v                    # [..., n, d]
    local_scores = scores.masked_fill(~near, -1e4)     # a finite "very negative"
    local_out = torch.softmax(local_scores, dim=-1) @ v               # [..., n, d]
    g = torch.sigmoid(gate)                                           # broadcasts to [..., n, 1]
    return g * global_out + (1 - g) * local_out                       # [..., n, d]
