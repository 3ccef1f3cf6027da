"""ALiBi: attention with linear biases (Press, Smith and Lewis, "Train Short, Test Long", 2022).

No position is added to the tokens and nothing is rotated. Each head simply
penalises a key in proportion to its distance from the query:

    scores[head, i, j] = q_i . k_j / sqrt(d) - m_head * (i - j)        j <= i (causal)

Head `head` has a fixed slope m_head (not learned). For h heads, h a power of two,
the slopes are the geometric sequence

    m_i = 2^(-8 (i + 1) / h)          i = 0 .. h - 1      (h = 8: 1/2, 1/4, ..., 1/256)

so some heads look only at the last few tokens and others almost uniformly far
back. For other h the paper keeps the slopes of the largest power of two h' < h
and fills the remaining h - h' heads with every other slope of 2h' heads, which
lie in between: 12 heads get the 8 slopes of h' = 8 plus 2^-0.5, 2^-1.5, 2^-2.5,
2^-3.5 from the 16-head sequence.

Without the causal mask this problem uses the symmetric distance |i - j| (the
paper defines only the causal form).

Precision: the slopes of a non-power-of-two h are irrational, so they are computed
in q's dtype; float32 slopes cast up would be off by ~1e-8 relative, which times a
distance of a few hundred is far outside a float64 call's tolerance.
"""

import math

import torch


def _slopes(num_heads: int, dtype: torch.dtype) -> torch.Tensor:
    """The paper's slopes for num_heads heads, in dtype: [num_heads]."""
    if num_heads < 1:
        raise ValueError(f"num_heads must be at least 1, got num_heads = {num_heads}")

    def geometric(h: int) -> torch.Tensor:                               # h a power of two
        return 2.0 ** (-8.0 * torch.arange(1, h + 1, dtype=dtype) / h)   # [h]

    h_pow2 = 1 << (num_heads.bit_length() - 1)       # the largest power of two <= num_heads
    if h_pow2 == num_heads:
        return geometric(num_heads)                                      # [num_heads]
    extra = geometric(2 * h_pow2)[0::2][: num_heads - h_pow2]           # [num_heads - h_pow2]
    return torch.cat([geometric(h_pow2), extra])                         # [num_heads]


def alibi_slopes(num_heads: int) -> torch.Tensor:
    """The ALiBi slope of each head, float32: [num_heads]."""
    return _slopes(num_heads, torch.float32)


def alibi_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                    causal: bool = True) -> torch.Tensor:
    """Scaled dot-product attention of q, k, v [b, h, n, d] plus the ALiBi distance penalty."""
    b, h, n, d = q.shape
    slopes = _slopes(h, q.dtype)                                         # [h], in q's dtype
    pos = torch.arange(n, device=q.device)
    distance = (pos[:, None] - pos[None, :]).to(q.dtype)                 # [n, n]: i - j
    if not causal:
        distance = distance.abs()                                        # [n, n]: |i - j|
    bias = -slopes[:, None, None] * distance                             # [h, n, n]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d) + bias               # [b, h, n, n]
    if causal:
        future = pos[None, :] > pos[:, None]                             # [n, n]: j > i
        scores = scores.masked_fill(future, float("-inf"))               # [b, h, n, n]
    return torch.softmax(scores, dim=-1) @ v                             # [b, h, n, d]
