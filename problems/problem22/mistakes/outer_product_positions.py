"""Known mistake: the angle table comes from torch.outer(positions, freq), which only takes 1-D positions."""

import torch


def apply_rope(x, positions, base=10000.0):
    d = x.shape[-1]
    if d % 2:
        raise ValueError(f"d = {d} must be even")
    freq = base ** (-torch.arange(0, d, 2, dtype=x.dtype) / d)
    theta = torch.outer(positions.to(x.dtype), freq)
    cos, sin = theta.cos(), theta.sin()
    a, b = x[..., 0::2], x[..., 1::2]
    return torch.stack([a * cos - b * sin, a * sin + b * cos], dim=-1).flatten(-2)
