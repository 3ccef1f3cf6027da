"""problem12 · GPT self-attention with a KV cache. Read the statement: attn-practice show problem12"""

import math

import torch


def causal_self_attention(x: torch.Tensor, w_qkv: torch.Tensor, w_o: torch.Tensor,
                          num_heads: int) -> torch.Tensor:
    """Masked multi-head self-attention over a whole sequence.

    x [b, t, d], w_qkv [d, 3d] (q, k, v in that order), w_o [d, d]. Position i
    attends to positions j <= i. Returns [b, t, d].
    """
    # TODO: raise ValueError (naming d and num_heads) unless d splits into num_heads heads
    # TODO: q, k, v = (x @ w_qkv).split(d, dim=-1), each split into heads [b, h, t, d/h]
    # TODO: scores scaled by 1/sqrt(d/h); -inf where j > i; softmax over the keys
    # TODO: weights @ v, heads concatenated back to [b, t, d], then @ w_o
    raise NotImplementedError("causal_self_attention is not written yet")


def decode_step(x_t: torch.Tensor, cache, w_qkv: torch.Tensor, w_o: torch.Tensor,
                num_heads: int):
    """The same layer for one new position x_t [b, 1, d].

    cache is None or (k, v), each [b, num_heads, t, d/num_heads], the keys and values
    of the earlier positions. Returns (output [b, 1, d], (k, v) grown to t + 1 positions).
    """
    # TODO: raise ValueError (naming d and num_heads) unless d splits into num_heads heads
    # TODO: project x_t only, split into heads: q, k, v each [b, h, 1, d/h]
    # TODO: append k and v to the cache along the time axis (dim=2)
    # TODO: attend from q to all t + 1 positions (itself included), merge heads, @ w_o
    raise NotImplementedError("decode_step is not written yet")
