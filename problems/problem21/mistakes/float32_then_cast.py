"""Known mistake: the encoding is computed in float32 (like a float32 lookup table) and cast to the positions' dtype."""

import torch


def sinusoidal_encoding(positions, d, base=10000.0):
    if d < 2 or d % 2:
        raise ValueError(f"d must be even and at least 2, got d = {d}")
    dtype = positions.dtype if positions.is_floating_point() else torch.get_default_dtype()
    p = positions.float().unsqueeze(-1)
    freq = base ** (-torch.arange(0, d, 2, dtype=torch.float32) / d)
    angle = p * freq
    return torch.stack([angle.sin(), angle.cos()], dim=-1).flatten(-2).to(dtype)
