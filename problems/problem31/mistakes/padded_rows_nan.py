"""Known mistake: the padded queries, whose keys are all masked, get a softmax over a row of -inf: NaN."""

import math

import torch


def position_ids(attention_mask: torch.Tensor) -> torch.Tensor:
    """Positions counted from each sequence's first real token; 0 on the padding. [b, n] int64."""
    real = _real_tokens(attention_mask)                                # [b, n] bool
    return (real.long().cumsum(dim=-1) - 1).clamp(min=0)               # [b, n]


def left_padded_causal_attention(x: torch.Tensor, attention_mask: torch.Tensor,
                                 w_qkv: torch.Tensor, w_o: torch.Tensor,
                                 num_heads: int) -> torch.Tensor:
    """problem12's causal self-attention on each sequence without its left padding; 0 on the padding."""
    b, n, d = x.shape
    real = _real_tokens(attention_mask)                                # [b, n] bool
    if real.shape != (b, n):
        raise ValueError(f"attention_mask has shape {tuple(real.shape)}, but x {tuple(x.shape)} "
                         f"needs [b, n] = {(b, n)}")
    _check_heads(d, num_heads)
    q, k, v = (_split_heads(z, num_heads) for z in (x @ w_qkv).split(d, dim=-1))  # [b, h, n, dh]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d // num_heads)       # [b, h, n, n]
    causal = torch.ones(n, n, dtype=torch.bool, device=x.device).tril()  # [n, n] j <= i
    allowed = causal & real[:, None, None, :]                          # [b, 1, n, n] real keys
    scores = scores.masked_fill(~allowed, float("-inf"))               # [b, h, n, n]
    out = torch.softmax(scores, dim=-1) @ v                            # [b, h, n, dh]
    return _merge_heads(out) @ w_o                                     # [b, n, d]


def _real_tokens(attention_mask: torch.Tensor) -> torch.Tensor:
    """The mask as bool [b, n], after checking that every row is left-padded and not empty."""
    if attention_mask.dim() != 2:
        raise ValueError(f"attention_mask must be [b, n], got shape {tuple(attention_mask.shape)}")
    real = attention_mask.bool()                                       # [b, n]
    for row in range(real.shape[0]):
        tokens = real[row]                                             # [n]
        if not tokens.any():
            raise ValueError(f"attention_mask row {row} has no real token: all "
                             f"{tokens.numel()} positions are padding")
        if (tokens[:-1] & ~tokens[1:]).any():
            raise ValueError(f"attention_mask row {row} is not left-padded: it has a 0 after a 1 "
                             f"({attention_mask[row].tolist()})")
    return real


def _split_heads(z: torch.Tensor, num_heads: int) -> torch.Tensor:
    """[b, n, d] -> [b, h, n, d/h]: head i takes features [i*d/h, (i+1)*d/h)."""
    b, n, d = z.shape
    return z.reshape(b, n, num_heads, d // num_heads).transpose(1, 2)


def _merge_heads(z: torch.Tensor) -> torch.Tensor:
    """[b, h, n, d/h] -> [b, n, d], the heads side by side in order."""
    b, h, n, dh = z.shape
    return z.transpose(1, 2).reshape(b, n, h * dh)


def _check_heads(d: int, num_heads: int) -> None:
    if num_heads < 1 or d % num_heads:
        raise ValueError(f"d = {d} cannot be split into num_heads = {num_heads} equal heads")
