"""problem22 · rotary position embedding (RoPE). Read the statement: attn-practice show problem22"""

import torch


def apply_rope(x: torch.Tensor, positions: torch.Tensor, base: float = 10000.0) -> torch.Tensor:
    """Rotate the feature pairs of x [..., n, d] by angles that grow with the position.

    positions: integer [n], or broadcastable to x.shape[:-1] (e.g. [b, 1, n] for x [b, h, n, d]).
    Pair (x[..., 2i], x[..., 2i+1]) turns by theta = p * base^(-2i/d). Returns x's shape and dtype.
    """
    # TODO: raise ValueError (naming d) if the feature size d is odd
    # TODO: the d/2 frequencies base^(-2i/d) and the angles positions * frequency, in x's dtype
    # TODO: rotate each pair (a, b) = (x[..., 2i], x[..., 2i+1]):
    #       (a cos theta - b sin theta, a sin theta + b cos theta)
    # TODO: put each rotated pair back in place (features 2i, 2i+1) -> [..., n, d]
    raise NotImplementedError("apply_rope is not written yet")
