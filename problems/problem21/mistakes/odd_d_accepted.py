"""Known mistake: no check on d, so an odd d silently returns d + 1 features."""

import torch


def sinusoidal_encoding(positions, d, base=10000.0):
    dtype = positions.dtype if positions.is_floating_point() else torch.get_default_dtype()
    p = positions.to(dtype).unsqueeze(-1)
    freq = base ** (-torch.arange(0, d, 2, dtype=dtype) / d)
    angle = p * freq
    return torch.stack([angle.sin(), angle.cos()], dim=-1).flatten(-2)
