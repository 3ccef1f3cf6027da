"""problem23 · ALiBi, attention with linear biases. Read the statement: attn-practice show problem23"""

import torch


def alibi_slopes(num_heads: int) -> torch.Tensor:
    """The ALiBi slope m of each head, float32 [num_heads].

    A power of two h: m_i = 2^(-8 (i + 1) / h). Otherwise: the slopes of the largest
    power of two h' < h, then alibi_slopes(2 h')[0::2], the first h - h' of them.
    """
    # TODO: raise ValueError (naming num_heads) if num_heads < 1
    # TODO: the geometric sequence for a power of two; the paper's rule for any other count
    raise NotImplementedError("alibi_slopes is not written yet")


def alibi_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                    causal: bool = True) -> torch.Tensor:
    """Scaled dot-product attention of q, k, v [b, h, n, d] with the ALiBi bias -m_head * (i - j).

    causal=True masks keys j > i; causal=False uses -m_head * |i - j| for every key.
    Returns [b, h, n, d].
    """
    # TODO: the h slopes, by the same rule as alibi_slopes but computed in q's dtype
    # TODO: distances i - j ([n, n]; |i - j| when not causal) and the bias [h, n, n]
    # TODO: scores = q @ k^T / sqrt(d) + bias; if causal, keys j > i get no weight
    # TODO: softmax over the keys, then @ v
    raise NotImplementedError("alibi_attention is not written yet")
