"""Known mistake: heads are split with reshape(b, h, t, d_h) and merged with a plain reshape, no transpose."""

import math

import torch


def mla_attention(x: torch.Tensor, w_q: torch.Tensor, w_dkv: torch.Tensor, w_uk: torch.Tensor,
                  w_uv: torch.Tensor, w_o: torch.Tensor, num_heads: int) -> torch.Tensor:
    """Causal multi-head latent attention over a whole sequence x [b, t, d]."""
    t = x.shape[1]
    d_h = _head_size(w_q, num_heads)
    c = x @ w_dkv                                                      # [b, t, d_c]
    q = _split_heads(x @ w_q, num_heads)                               # [b, h, t, d_h]
    k = _split_heads(c @ w_uk, num_heads)                              # [b, h, t, d_h]
    v = _split_heads(c @ w_uv, num_heads)                              # [b, h, t, d_h]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_h)                  # [b, h, t, t]
    future = torch.ones(t, t, dtype=torch.bool, device=x.device).triu(diagonal=1)  # [t, t] j > i
    scores = scores.masked_fill(future, float("-inf"))                 # [b, h, t, t]
    out = torch.softmax(scores, dim=-1) @ v                            # [b, h, t, d_h]
    return _merge_heads(out) @ w_o                                     # [b, t, d]


def mla_decode_step(x_t: torch.Tensor, latent_cache, w_q: torch.Tensor, w_dkv: torch.Tensor,
                    w_uk: torch.Tensor, w_uv: torch.Tensor, w_o: torch.Tensor, num_heads: int):
    """One new position x_t [b, 1, d]; the cache holds only the latents [b, t, d_c]."""
    d_h = _head_size(w_q, num_heads)
    d_c = w_dkv.shape[1]
    c_t = x_t @ w_dkv                                                  # [b, 1, d_c]
    cache = c_t if latent_cache is None else torch.cat([latent_cache, c_t], dim=1)  # [b, t+1, d_c]
    uk = w_uk.reshape(d_c, num_heads, d_h).transpose(0, 1)             # [h, d_c, d_h]
    uv = w_uv.reshape(d_c, num_heads, d_h).transpose(0, 1)             # [h, d_c, d_h]
    q = _split_heads(x_t @ w_q, num_heads)                             # [b, h, 1, d_h]
    q_latent = q @ uk.transpose(-2, -1)                                # [b, h, 1, d_c]
    latents = cache.unsqueeze(1)                                       # [b, 1, t+1, d_c]
    scores = q_latent @ latents.transpose(-2, -1) / math.sqrt(d_h)     # [b, h, 1, t+1]
    read = torch.softmax(scores, dim=-1) @ latents                     # [b, h, 1, d_c]
    out = read @ uv                                                    # [b, h, 1, d_h]
    return _merge_heads(out) @ w_o, cache                              # [b, 1, d], [b, t+1, d_c]


def _head_size(w_q: torch.Tensor, num_heads: int) -> int:
    """d_h = (h * d_h) / num_heads, or ValueError if the heads do not split evenly."""
    width = w_q.shape[1]
    if num_heads < 1 or width % num_heads:
        raise ValueError(f"w_q has {width} output features (shape {tuple(w_q.shape)}), which "
                         f"cannot be split into num_heads = {num_heads} equal heads")
    return width // num_heads


def _split_heads(z: torch.Tensor, num_heads: int) -> torch.Tensor:
    """[b, t, h*d_h] -> [b, h, t, d_h]: head i takes features [i*d_h, (i+1)*d_h)."""
    b, t, width = z.shape
    return z.reshape(b, num_heads, t, width // num_heads)


def _merge_heads(z: torch.Tensor) -> torch.Tensor:
    """[b, h, t, d_h] -> [b, t, h*d_h], the heads side by side in order."""
    b, h, t, d_h = z.shape
    return z.reshape(b, t, h * d_h)
