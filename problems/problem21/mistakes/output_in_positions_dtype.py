"""Known mistake: the output buffer takes the positions' dtype, so integer positions give truncated integers."""

import torch


def sinusoidal_encoding(positions, d, base=10000.0):
    if d < 2 or d % 2:
        raise ValueError(f"d must be even and at least 2, got d = {d}")
    dtype = positions.dtype if positions.is_floating_point() else torch.get_default_dtype()
    angle = positions.to(dtype).unsqueeze(-1) * base ** (-torch.arange(0, d, 2, dtype=dtype) / d)
    pe = torch.zeros(*positions.shape, d, dtype=positions.dtype)
    pe[..., 0::2] = torch.sin(angle)
    pe[..., 1::2] = torch.cos(angle)
    return pe
