"""Known mistake: the pairs are rotated correctly but written back as [all first halves, all second halves]."""

import torch


def apply_rope(x, positions, base=10000.0):
    d = x.shape[-1]
    if d % 2:
        raise ValueError(f"d = {d} must be even")
    freq = base ** (-torch.arange(0, d, 2, dtype=x.dtype) / d)
    theta = positions.to(x.dtype).unsqueeze(-1) * freq
    cos, sin = theta.cos(), theta.sin()
    a, b = x[..., 0::2], x[..., 1::2]
    return torch.cat([a * cos - b * sin, a * sin + b * cos], dim=-1)
