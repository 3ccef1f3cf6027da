"""Rotary position embedding (RoPE), as in RoFormer (Su et al. 2021) and Llama.

Instead of adding a position vector to the token (problem21), RoPE rotates the
query and the key. The d features form d/2 pairs (x_2i, x_2i+1), each a point in
a plane, and the pair i of a token at position p is rotated by the angle

    theta_i(p) = p * base^(-2i/d)                        i = 0 .. d/2 - 1

    [x'_2i  ]   [cos theta  -sin theta] [x_2i  ]
    [x'_2i+1] = [sin theta   cos theta] [x_2i+1]

Why it works: rotations preserve lengths and compose by adding angles, so for a
query q at position m and a key k at position n,

    <R(m) q, R(n) k> = <q, R(m)^T R(n) k> = <q, R(n - m) k>

The attention score depends on the positions only through n - m: relative
position, with nothing added to the values and no extra parameters.

Layout: this is the paper's pairing of neighbours (2i, 2i + 1), also Meta's Llama
code, which views each pair as one complex number and multiplies by e^(i theta).
Hugging Face's `rotate_half` pairs feature i with feature i + d/2 instead: the same
idea on a permuted feature order, so the two do not give the same tensor.

Precision: the angle p * base^(-2i/d) grows with p. It is computed in x's dtype:
Llama computes it in float32, which at p = 1e4 is off by ~5e-4 radians, well
beyond a float64 call's tolerance.
"""

import torch


def apply_rope(x: torch.Tensor, positions: torch.Tensor, base: float = 10000.0) -> torch.Tensor:
    """Rotate each feature pair (2i, 2i+1) of x [..., n, d] by positions * base^(-2i/d)."""
    d = x.shape[-1]
    if d % 2:
        raise ValueError(f"the feature size d = {d} of x {tuple(x.shape)} must be even "
                         "(features are rotated in pairs)")
    freq = base ** (-torch.arange(0, d, 2, dtype=x.dtype, device=x.device) / d)  # [d/2]
    theta = positions.to(x.dtype).unsqueeze(-1) * freq      # [..., n, d/2], broadcast like x
    cos, sin = theta.cos(), theta.sin()                     # [..., n, d/2]
    a, b = x[..., 0::2], x[..., 1::2]                       # [..., n, d/2]: the pairs (a, b)
    rotated = torch.stack([a * cos - b * sin, a * sin + b * cos], dim=-1)  # [..., n, d/2, 2]
    return rotated.flatten(-2)                              # [..., n, d]
