"""Known mistake: one frequency per feature j (base^(-j/d)), so cosine 2i+1 gets its own frequency."""

import torch


def sinusoidal_encoding(positions, d, base=10000.0):
    if d < 2 or d % 2:
        raise ValueError(f"d must be even and at least 2, got d = {d}")
    dtype = positions.dtype if positions.is_floating_point() else torch.get_default_dtype()
    p = positions.to(dtype).unsqueeze(-1)
    j = torch.arange(d, dtype=dtype)
    angle = p / base ** (j / d)
    out = torch.empty(*angle.shape, dtype=dtype)
    out[..., 0::2] = angle[..., 0::2].sin()
    out[..., 1::2] = angle[..., 1::2].cos()
    return out
