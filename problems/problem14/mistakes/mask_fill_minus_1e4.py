"""Known mistake: padded scores filled with the finite -1e4, which real scores can go below."""

import math

import torch

EPS = 1e-5  # torch.nn.LayerNorm's default


def encoder_layer(x: torch.Tensor, params: dict, num_heads: int,
                  padding_mask: torch.Tensor | None = None) -> torch.Tensor:
    """One post-norm encoder layer on x [b, n, d]; padding_mask [b, n], True = real token."""
    p = params
    x = layer_norm(x + self_attention(x, p, num_heads, padding_mask),
                   p["norm1.weight"], p["norm1.bias"])                     # [b, n, d]
    x = layer_norm(x + feed_forward(x, p), p["norm2.weight"], p["norm2.bias"])  # [b, n, d]
    return x


def self_attention(x, p, num_heads, padding_mask):
    """Multi-head self-attention with torch's packed in_proj and out_proj."""
    b, n, d = x.shape
    dh = d // num_heads
    qkv = x @ p["self_attn.in_proj_weight"].T + p["self_attn.in_proj_bias"]  # [b, n, 3d]
    q, k, v = (split_heads(t, num_heads) for t in qkv.chunk(3, dim=-1))       # [b, h, n, dh] each
    scores = q @ k.transpose(-2, -1) / math.sqrt(dh)                          # [b, h, n, n]
    if padding_mask is not None:
        keep = padding_mask.bool()[:, None, None, :]                          # [b, 1, 1, n]
        scores = scores.masked_fill(~keep, -1e4)        # a finite "very negative"
    weights = torch.softmax(scores, dim=-1)                                   # [b, h, n, n]
    heads = weights @ v                                                       # [b, h, n, dh]
    merged = heads.transpose(1, 2).reshape(b, n, d)                           # [b, n, d]
    return merged @ p["self_attn.out_proj.weight"].T + p["self_attn.out_proj.bias"]  # [b, n, d]


def feed_forward(x, p):
    hidden = torch.relu(x @ p["linear1.weight"].T + p["linear1.bias"])  # [b, n, f]
    return hidden @ p["linear2.weight"].T + p["linear2.bias"]           # [b, n, d]


def layer_norm(x, weight, bias):
    """Normalise each token's d features (biased variance), then scale and shift."""
    mean = x.mean(dim=-1, keepdim=True)                                # [b, n, 1]
    var = x.var(dim=-1, unbiased=False, keepdim=True)                  # [b, n, 1]
    return (x - mean) / torch.sqrt(var + EPS) * weight + bias          # [b, n, d]


def split_heads(t, num_heads):
    b, n, d = t.shape
    return t.reshape(b, n, num_heads, d // num_heads).transpose(1, 2)     # [b, h, n, d/h]
