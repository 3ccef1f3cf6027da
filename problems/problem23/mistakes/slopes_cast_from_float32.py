"""Known mistake: alibi_attention casts the float32 alibi_slopes up to q's dtype instead of computing them in it."""

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
    slopes = alibi_slopes(h).to(q.dtype)                                         # [h], in q's dtype
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
