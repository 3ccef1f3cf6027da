"""Known mistake: no causal condition: the window is taken on both sides, |i - j| < window, as in local attention, and the sinks are visible to every query."""

import math

import torch


def sink_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                   window: int, num_sinks: int) -> torch.Tensor:
    """Causal sliding-window attention over [..., n, d] that always also sees the first num_sinks keys."""
    check_sizes(window, num_sinks)
    n = q.shape[-2]
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # [..., n, n]
    allowed = sink_mask(n, window, num_sinks, q.device)        # [n, n]
    scores = scores.masked_fill(~allowed, float("-inf"))       # never a whole row: j = i stays
    return torch.softmax(scores, dim=-1) @ v                   # [..., n, d_v]


def sink_mask(n: int, window: int, num_sinks: int, device=None) -> torch.Tensor:
    """[n, n] bool, True where query i may attend to key j."""
    i = torch.arange(n, device=device)[:, None]                # [n, 1], queries
    j = torch.arange(n, device=device)[None, :]                # [1, n], keys
    return ((i - j).abs() < window) | (j < num_sinks)


def kept_positions(t: int, window: int, num_sinks: int) -> list[int]:
    """Positions a rolling KV cache holds after t tokens, for query t: sinks and the last window - 1."""
    check_sizes(window, num_sinks)
    if t < 0:
        raise ValueError(f"t must be at least 0, got t = {t}")
    return [j for j in range(t) if j < num_sinks or j > t - window]


def check_sizes(window: int, num_sinks: int) -> None:
    if window < 1:
        raise ValueError(f"window must be at least 1 (it counts the query itself), got window = {window}")
    if num_sinks < 0:
        raise ValueError(f"num_sinks must be at least 0, got num_sinks = {num_sinks}")
