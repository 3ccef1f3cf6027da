"""problem21 · sinusoidal positional encoding. Read the statement: attn-practice show problem21"""

import torch


def sinusoidal_encoding(positions: torch.Tensor, d: int, base: float = 10000.0) -> torch.Tensor:
    """The Transformer's sinusoidal encoding of positions [...] (integer or floating): [..., d].

    out[..., 2i] = sin(p / base^(2i/d)) and out[..., 2i+1] = cos(p / base^(2i/d)),
    i = 0 .. d/2 - 1. Floating positions keep their dtype; integer positions give
    torch.get_default_dtype().
    """
    # TODO: raise ValueError (naming d) unless d is even and at least 2
    # TODO: choose the dtype: the positions' own if floating point, else torch.get_default_dtype()
    # TODO: the d/2 frequencies base^(-2i/d), in that dtype, and the angles p * frequency [..., d/2]
    # TODO: interleave: sin of each angle at feature 2i, cos at feature 2i + 1 -> [..., d]
    raise NotImplementedError("sinusoidal_encoding is not written yet")
