"""Known mistake: frequency base^(-i/d) with i the pair index, the factor 2 of 2i/d left out."""

import torch


def sinusoidal_encoding(positions, d, base=10000.0):
    if d < 2 or d % 2:
        raise ValueError(f"d must be even and at least 2, got d = {d}")
    dtype = positions.dtype if positions.is_floating_point() else torch.get_default_dtype()
    p = positions.to(dtype).unsqueeze(-1)
    i = torch.arange(d // 2, dtype=dtype)
    freq = base ** (-i / d)
    angle = p * freq
    return torch.stack([angle.sin(), angle.cos()], dim=-1).flatten(-2)
