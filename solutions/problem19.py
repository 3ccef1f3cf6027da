"""Attention fusion: a learned gate mixing global and local (sliding-window) attention.

Both branches are scaled dot-product attention over the same scores
S = q @ k.T / sqrt(d), [n, n]; they differ only in which keys a position may see:

    global   every position j                              softmax(S) @ v
    local    only the positions with |i - j| <= window     softmax(S, masked) @ v

Masking happens before the softmax (scores outside the window become -inf), so
each local row is a proper distribution over the window; the diagonal is always
inside, so no row is empty. A gate logit per position (or one for all) decides
the mix: g = sigmoid(gate) lies in (0, 1), and the output is
g * global + (1 - g) * local.

What the guide left out: its 注意力融合 says that fusing "different types of
attention" improves performance and generalisation, without saying which types,
how they are combined, or what is learned. Here it is concrete: two attention
branches over the same q, k, v, combined by a convex, per-position, learnable
gate, the way long-context models mix a cheap local view with a global one.
"""

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
    local_scores = scores.masked_fill(~near, -math.inf)               # [..., n, n]
    local_out = torch.softmax(local_scores, dim=-1) @ v               # [..., n, d]
    g = torch.sigmoid(gate)                                           # broadcasts to [..., n, 1]
    return g * global_out + (1 - g) * local_out                       # [..., n, d]
