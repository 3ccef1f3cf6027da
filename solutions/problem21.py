"""Sinusoidal positional encoding, as in "Attention Is All You Need" (Vaswani et al. 2017).

Attention itself is blind to order: permute the tokens and every output is
permuted the same way. The original Transformer adds to each token embedding a
vector that depends only on the token's position p:

    PE(p, 2i)   = sin(p / base^(2i/d))        i = 0 .. d/2 - 1
    PE(p, 2i+1) = cos(p / base^(2i/d))        base = 10000 in the paper

Pair i is a point on a circle turning at angular frequency w_i = base^(-2i/d):
pair 0 turns once every 2*pi positions, the last pair once every ~2*pi*base
positions, a geometric ladder of wavelengths. Because (sin, cos) of p + k is a
fixed rotation of (sin, cos) of p, a linear map can read relative offsets.

Layout: sine and cosine of the same frequency sit side by side (features 2i and
2i + 1), as in the paper's formula. Several libraries concatenate all sines and
then all cosines; that is a different permutation of the features.

Precision: the angle p * w_i is the whole game. At p = 1e5 an angle rounded to
float32 (about 7 significant digits) is off by up to ~4e-3 radians, so the angle
is computed in the output dtype: the positions' own dtype if they are floating
point, torch.get_default_dtype() if they are integers.
"""

import torch


def sinusoidal_encoding(positions: torch.Tensor, d: int, base: float = 10000.0) -> torch.Tensor:
    """Encodings [..., d] of positions [...] (integer or floating)."""
    if d < 2 or d % 2:
        raise ValueError(f"d must be even and at least 2 (sine/cosine pairs), got d = {d}")
    dtype = positions.dtype if positions.is_floating_point() else torch.get_default_dtype()
    p = positions.to(dtype).unsqueeze(-1)                                  # [..., 1]
    two_i = torch.arange(0, d, 2, dtype=dtype, device=positions.device)    # [d/2]: 0, 2, 4, ...
    freq = base ** (-two_i / d)                                            # [d/2]: base^(-2i/d)
    angle = p * freq                                                       # [..., d/2]
    return torch.stack([angle.sin(), angle.cos()], dim=-1).flatten(-2)    # [..., d]: sin, cos, sin, ...
