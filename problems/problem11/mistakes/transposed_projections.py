"""Known mistake: every weight applied transposed (x @ w.T), the nn.Linear habit."""

import math

import torch


def mha_forward(query, key, value, w_q, w_k, w_v, w_o, num_heads, mask=None):
    d_model = query.shape[-1]
    if num_heads < 1 or d_model % num_heads != 0:
        raise ValueError(f"d_model = {d_model} is not divisible by num_heads = {num_heads}")
    q = split_heads(query @ w_q.T, num_heads)
    k = split_heads(key @ w_k.T, num_heads)
    v = split_heads(value @ w_v.T, num_heads)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    heads = weights @ v
    return merge_heads(heads) @ w_o.T, weights


def split_heads(x, num_heads):
    b, t, d_model = x.shape
    return x.reshape(b, t, num_heads, d_model // num_heads).transpose(1, 2)


def merge_heads(x):
    b, h, t, d_k = x.shape
    return x.transpose(1, 2).reshape(b, t, h * d_k)
