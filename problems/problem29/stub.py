"""problem29 · Multi-head latent attention (DeepSeek's MLA). Read the statement: attn-practice show problem29"""

import math

import torch


def mla_attention(x: torch.Tensor, w_q: torch.Tensor, w_dkv: torch.Tensor, w_uk: torch.Tensor,
                  w_uv: torch.Tensor, w_o: torch.Tensor, num_heads: int) -> torch.Tensor:
    """Causal multi-head latent attention over a whole sequence.

    x [b, t, d]; w_q [d, h*d_h]; w_dkv [d, d_c]; w_uk, w_uv [d_c, h*d_h]; w_o [h*d_h, d].
    The latent c = x @ w_dkv gives the keys (c @ w_uk) and values (c @ w_uv);
    q = x @ w_q. Position i attends to j <= i. Returns [b, t, d].
    """
    # TODO: d_h = w_q.shape[1] // num_heads; ValueError (naming both) unless it splits evenly
    # TODO: c = x @ w_dkv; q = x @ w_q, k = c @ w_uk, v = c @ w_uv, each split into heads [b, h, t, d_h]
    # TODO: scores scaled by 1/sqrt(d_h); -inf where j > i; softmax over the keys
    # TODO: weights @ v, heads concatenated back to [b, t, h*d_h], then @ w_o
    raise NotImplementedError("mla_attention is not written yet")


def mla_decode_step(x_t: torch.Tensor, latent_cache, w_q: torch.Tensor, w_dkv: torch.Tensor,
                    w_uk: torch.Tensor, w_uv: torch.Tensor, w_o: torch.Tensor, num_heads: int):
    """The same layer for one new position x_t [b, 1, d].

    latent_cache is None or [b, t, d_c], the latents of the earlier positions (and
    nothing else). Returns (output [b, 1, d], the latent cache grown to [b, t+1, d_c]).
    """
    # TODO: the same ValueError as mla_attention
    # TODO: c_t = x_t @ w_dkv; append it to the cache along the time axis (dim=1)
    # TODO: keys and values of all t+1 positions from the cache; the new query attends to all of them
    # TODO: merge heads, @ w_o; return (output, cache)
    raise NotImplementedError("mla_decode_step is not written yet")
