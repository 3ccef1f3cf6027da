"""Known mistake: kept_positions concatenates the sinks and the recent positions, so where they overlap positions appear twice."""

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
    recent_or_sink = (i - j < window) | (j < num_sinks)        # [n, n]
    return (j <= i) & recent_or_sink                           # causal first, always


def kept_positions(t: int, window: int, num_sinks: int) -> list[int]:
    """Positions a rolling KV cache holds after t tokens, for query t: sinks and the last window - 1."""
    check_sizes(window, num_sinks)
    if t < 0:
        raise ValueError(f"t must be at least 0, got t = {t}")
    sinks = list(range(min(num_sinks, t)))
    recent = list(range(max(t - window + 1, 0), t))
    return sinks + recent


def check_sizes(window: int, num_sinks: int) -> None:
    if window < 1:
        raise ValueError(f"window must be at least 1 (it counts the query itself), got window = {window}")
    if num_sinks < 0:
        raise ValueError(f"num_sinks must be at least 0, got num_sinks = {num_sinks}")
