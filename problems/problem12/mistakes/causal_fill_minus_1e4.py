"""Known mistake: the causal mask fills future scores with the finite -1e4, which real scores can go below."""

import math

import torch


def causal_self_attention(x: torch.Tensor, w_qkv: torch.Tensor, w_o: torch.Tensor,
                          num_heads: int) -> torch.Tensor:
    """Masked multi-head self-attention over a whole sequence x [b, t, d]."""
    b, t, d = x.shape
    _check_heads(d, num_heads)
    q, k, v = (_split_heads(z, num_heads) for z in (x @ w_qkv).split(d, dim=-1))  # [b, h, t, dh]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d // num_heads)       # [b, h, t, t]
    future = torch.ones(t, t, dtype=torch.bool, device=x.device).triu(diagonal=1)  # [t, t] j > i
    scores = scores.masked_fill(future, -1e4)       # a finite "very negative"
    out = torch.softmax(scores, dim=-1) @ v                            # [b, h, t, dh]
    return _merge_heads(out) @ w_o                                     # [b, t, d]


def decode_step(x_t: torch.Tensor, cache, w_qkv: torch.Tensor, w_o: torch.Tensor,
                num_heads: int):
    """One new position x_t [b, 1, d] attending to the cached past and to itself."""
    b, _, d = x_t.shape
    _check_heads(d, num_heads)
    q, k, v = (_split_heads(z, num_heads) for z in (x_t @ w_qkv).split(d, dim=-1))  # [b, h, 1, dh]
    if cache is not None:
        k = torch.cat([cache[0], k], dim=2)                            # [b, h, t + 1, dh]
        v = torch.cat([cache[1], v], dim=2)                            # [b, h, t + 1, dh]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d // num_heads)       # [b, h, 1, t + 1]
    out = torch.softmax(scores, dim=-1) @ v                            # [b, h, 1, dh]
    return _merge_heads(out) @ w_o, (k, v)                             # [b, 1, d], cache


def _split_heads(z: torch.Tensor, num_heads: int) -> torch.Tensor:
    """[b, t, d] -> [b, h, t, d/h]: head i takes features [i*d/h, (i+1)*d/h)."""
    b, t, d = z.shape
    return z.reshape(b, t, num_heads, d // num_heads).transpose(1, 2)


def _merge_heads(z: torch.Tensor) -> torch.Tensor:
    """[b, h, t, d/h] -> [b, t, d], the heads side by side in order."""
    b, h, t, dh = z.shape
    return z.transpose(1, 2).reshape(b, t, h * dh)


def _check_heads(d: int, num_heads: int) -> None:
    if num_heads < 1 or d % num_heads:
        raise ValueError(f"d = {d} cannot be split into num_heads = {num_heads} equal heads")
