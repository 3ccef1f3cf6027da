"""problem31 · Causal attention over a left-padded batch. Read the statement: attn-practice show problem31"""

import math

import torch


def position_ids(attention_mask: torch.Tensor) -> torch.Tensor:
    """Position of every token, counted from its sequence's first real token.

    attention_mask [b, n]: 0/1 integers or bools, 1 = real token, padding on the left.
    Returns int64 [b, n]: 0, 1, 2, ... from the first real token; 0 on the padding.
    """
    # TODO: ValueError naming the row if a row has no real token, or a 0 after a 1 (right padding)
    # TODO: a running count of the real tokens, minus one, and 0 (not -1) on the padding
    raise NotImplementedError("position_ids is not written yet")


def left_padded_causal_attention(x: torch.Tensor, attention_mask: torch.Tensor,
                                 w_qkv: torch.Tensor, w_o: torch.Tensor,
                                 num_heads: int) -> torch.Tensor:
    """problem12's causal self-attention on a batch of left-padded sequences.

    x [b, n, d]; attention_mask [b, n] as in position_ids; w_qkv [d, 3d] (q, k, v in
    that order); w_o [d, d]. A real query attends to the real keys at or before it;
    outputs at padded positions are 0. Returns [b, n, d].
    """
    # TODO: the same ValueErrors as position_ids; ValueError naming d and num_heads unless they split
    # TODO: q, k, v = (x @ w_qkv).split(d, dim=-1), each split into heads [b, h, n, d/h]
    # TODO: allowed[i, j] = (j <= i) and key j is real; scores / sqrt(d/h); softmax over the keys
    # TODO: no NaN for padded queries (they have no allowed key); their outputs are exactly 0
    # TODO: heads concatenated back to [b, n, d], then @ w_o
    raise NotImplementedError("left_padded_causal_attention is not written yet")
