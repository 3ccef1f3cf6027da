"""Known mistake: the local window only looks back (j <= i), like a causal mask."""

import math

import torch


def fused_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, window: int,
                    gate: torch.Tensor) -> torch.Tensor:
    if window < 0:
        raise ValueError(f"window must be at least 0, got {window}")
    n = q.shape[-2]
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])        # [..., n, n]
    pos = torch.arange(n, device=q.device)                            # [n]
    back = pos[:, None] - pos[None, :]                                # [n, n], i - j
    near = (back >= 0) & (back <= window)                             # [n, n], only j <= i

    global_out = torch.softmax(scores, dim=-1) @ v                    # [..., n, d]
    local_scores = scores.masked_fill(~near, -math.inf)               # [..., n, n]
    local_out = torch.softmax(local_scores, dim=-1) @ v               # [..., n, d]
    g = torch.sigmoid(gate)                                           # broadcasts to [..., n, 1]
    return g * global_out + (1 - g) * local_out                       # [..., n, d]
