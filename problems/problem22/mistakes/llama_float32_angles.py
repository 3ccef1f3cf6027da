"""Known mistake: Meta's Llama code as is: angles (and the rotation) in float32, cast back to x's dtype."""

import torch


def precompute_freqs_cis(dim, positions, theta=10000.0):
    freqs = 1.0 / (theta ** (torch.arange(0, dim, 2)[: (dim // 2)].float() / dim))
    t = positions.float()
    freqs = t.unsqueeze(-1) * freqs
    return torch.polar(torch.ones_like(freqs), freqs)  # complex64


def apply_rope(x, positions, base=10000.0):
    d = x.shape[-1]
    if d % 2:
        raise ValueError(f"d = {d} must be even")
    freqs_cis = precompute_freqs_cis(d, positions, base)
    x_ = torch.view_as_complex(x.float().reshape(*x.shape[:-1], -1, 2))
    out = torch.view_as_real(x_ * freqs_cis).flatten(-2)
    return out.type_as(x)
