"""Attention sinks: a sliding window that never forgets the first tokens.

A causal model served with a sliding window keeps only the last `window` tokens
in its KV cache, so memory stays constant however long the stream runs. Xiao et
al. (StreamingLLM, 2023) found that this breaks down as soon as the first tokens
leave the window: models park a large share of every query's attention on the
first few positions (the "attention sinks"), whatever they contain, and without
them the softmax has to spread that mass elsewhere. Keeping `num_sinks` initial
positions next to the window restores it:

    query i attends to key j  iff  j <= i  and  (i - j < window  or  j < num_sinks)

The window counts the query itself: window = 1 is the query alone; window >= n
(or num_sinks >= n) is plain causal attention. Both conditions sit inside the
causal one: a sink is visible only to the queries at or after it.

The rolling cache follows from the mask: before computing position t it must
hold the positions t will attend to, apart from t itself (whose key and value
are about to be added): the sinks j < num_sinks and the recent j > t - window,
at most num_sinks + window - 1 entries.
"""

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
    return [j for j in range(t) if j < num_sinks or j > t - window]


def check_sizes(window: int, num_sinks: int) -> None:
    if window < 1:
        raise ValueError(f"window must be at least 1 (it counts the query itself), got window = {window}")
    if num_sinks < 0:
        raise ValueError(f"num_sinks must be at least 0, got num_sinks = {num_sinks}")
