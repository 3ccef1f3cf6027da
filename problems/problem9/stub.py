"""problem9 · scaled dot-product attention. Read the statement: attn-practice show problem9"""

import math

import torch


def scaled_dot_product_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                                 mask: torch.Tensor | None = None
                                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """Attention of queries q [..., m, d] over keys k [..., n, d] with values v [..., n, d_v].

    mask: None, or a bool tensor broadcastable to [..., m, n]; True = may attend.
    Returns (output [..., m, d_v], weights [..., m, n]).
    """
    # TODO: scores = q @ k^T / sqrt(d), with the transpose on the last two axes only
    # TODO: with a mask, keep masked keys out of the softmax (weight exactly 0), and give a
    #       query whose keys are all masked all-zero weights and an all-zero output (no NaN)
    # TODO: weights = softmax over the keys (last axis); output = weights @ v
    raise NotImplementedError("scaled_dot_product_attention is not written yet")
