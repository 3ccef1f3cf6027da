"""Known mistake: the gate logits are used as the mixing weight without sigmoid."""

import math

import torch


def fused_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, window: int,
                    gate: torch.Tensor) -> torch.Tensor:
    if window < 0:
        raise ValueError(f"window must be at least 0, got {window}")
    n = q.shape[-2]
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])        # [..., n, n]
    pos = torch.arange(n, device=q.device)                            # [n]
    near = (pos[:, None] - pos[None, :]).abs() <= window              # [n, n], True = may attend

    global_out = torch.softmax(scores, dim=-1) @ v                    # [..., n, d]
    local_scores = scores.masked_fill(~near, -math.inf)               # [..., n, n]
    local_out = torch.softmax(local_scores, dim=-1) @ v               # [..., n, d]
    g = gate                                                          # broadcasts to [..., n, 1]
    return g * global_out + (1 - g) * local_out                       # [..., n, d]
