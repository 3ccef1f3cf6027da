"""problem28 · attention sinks. Read the statement: attn-practice show problem28"""

import torch


def sink_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                   window: int, num_sinks: int) -> torch.Tensor:
    """Causal sliding-window attention that also always sees the first num_sinks positions.

    q, k, v: [..., n, d]. Query i attends to key j iff j <= i and (i - j < window or j < num_sinks).
    Scaled dot-product attention (scale 1/sqrt(d)); returns [..., n, d].
    """
    # TODO: raise ValueError (naming the value) if window < 1 or num_sinks < 0
    # TODO: build the [n, n] bool mask from i = arange(n)[:, None] and j = arange(n)[None, :]
    # TODO: scores = q @ k^T / sqrt(d); -inf where the mask is False; softmax over the keys; @ v
    raise NotImplementedError("sink_attention is not written yet")


def kept_positions(t: int, window: int, num_sinks: int) -> list[int]:
    """The positions a rolling KV cache holds after t tokens, so that query t sees what sink_attention allows.

    Sorted Python ints j < t with j < num_sinks or j > t - window (t itself is not cached yet).
    """
    # TODO: the same ValueErrors as sink_attention, and one for t < 0
    # TODO: each position j < t once, kept if it is a sink or inside the window
    raise NotImplementedError("kept_positions is not written yet")
