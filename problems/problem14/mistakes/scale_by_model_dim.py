"""Known mistake: scores scaled by 1/sqrt(d) instead of 1/sqrt(d/h)."""

import math

import torch

EPS = 1e-5


def encoder_layer(x, params, num_heads, padding_mask=None):
    p = params
    x = layer_norm(x + self_attention(x, p, num_heads, padding_mask), p["norm1.weight"], p["norm1.bias"])
    x = layer_norm(x + feed_forward(x, p), p["norm2.weight"], p["norm2.bias"])
    return x


def self_attention(x, p, num_heads, padding_mask):
    b, n, d = x.shape
    dh = d // num_heads
    qkv = x @ p["self_attn.in_proj_weight"].T + p["self_attn.in_proj_bias"]
    q, k, v = (split_heads(t, num_heads) for t in qkv.chunk(3, dim=-1))
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)
    if padding_mask is not None:
        scores = scores.masked_fill(~padding_mask[:, None, None, :], float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    merged = (weights @ v).transpose(1, 2).reshape(b, n, d)
    return merged @ p["self_attn.out_proj.weight"].T + p["self_attn.out_proj.bias"]


def feed_forward(x, p):
    hidden = torch.relu(x @ p["linear1.weight"].T + p["linear1.bias"])
    return hidden @ p["linear2.weight"].T + p["linear2.bias"]


def layer_norm(x, weight, bias):
    mean = x.mean(dim=-1, keepdim=True)
    var = x.var(dim=-1, unbiased=False, keepdim=True)
    return (x - mean) / torch.sqrt(var + EPS) * weight + bias


def split_heads(t, num_heads):
    b, n, d = t.shape
    return t.reshape(b, n, num_heads, d // num_heads).transpose(1, 2)
