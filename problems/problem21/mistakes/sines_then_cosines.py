"""Known mistake: all sines first, then all cosines (torch.cat instead of interleaving)."""

import torch


def sinusoidal_encoding(positions, d, base=10000.0):
    if d < 2 or d % 2:
        raise ValueError(f"d must be even and at least 2, got d = {d}")
    dtype = positions.dtype if positions.is_floating_point() else torch.get_default_dtype()
    p = positions.to(dtype).unsqueeze(-1)
    freq = base ** (-torch.arange(0, d, 2, dtype=dtype) / d)
    angle = p * freq
    return torch.cat([angle.sin(), angle.cos()], dim=-1)
