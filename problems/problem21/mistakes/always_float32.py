"""Known mistake: positions.float() everywhere, as in the PyTorch tutorial's table: float64 positions come back float32."""

import math

import torch


def sinusoidal_encoding(positions, d, base=10000.0):
    if d < 2 or d % 2:
        raise ValueError(f"d must be even and at least 2, got d = {d}")
    p = positions.float().unsqueeze(-1)
    div_term = torch.exp(torch.arange(0, d, 2).float() * (-math.log(base) / d))
    angle = p * div_term
    return torch.stack([angle.sin(), angle.cos()], dim=-1).flatten(-2)
