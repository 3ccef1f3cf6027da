"""Known mistake: the window mask zeroes weights after the softmax, so local rows no longer sum to 1."""

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
    local_weights = torch.softmax(scores, dim=-1) * near              # [..., n, n]
    local_out = local_weights @ v                                     # [..., n, d]
    g = torch.sigmoid(gate)                                           # broadcasts to [..., n, 1]
    return g * global_out + (1 - g) * local_out                       # [..., n, d]
