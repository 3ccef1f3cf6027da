"""problem15 · symmetric attention. Read the statement: attn-practice show problem15"""

import torch


def symmetric_attention(x: torch.Tensor, m: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Self-attention of x [..., n, d] scored by the symmetric part of m [d, d].

    Returns (output [..., n, d], scores [..., n, n]); the scores are symmetric.
    """
    # TODO: A = the symmetric part of m
    # TODO: scores = x @ A @ x^T / sqrt(d)   (transpose only the last two axes of x)
    # TODO: weights = softmax over the keys; output = weights @ x
    raise NotImplementedError("symmetric_attention is not written yet")
