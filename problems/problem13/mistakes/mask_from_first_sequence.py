"""Known mistake: the first sequence's mask is used for the whole batch."""

import math

import torch


def bert_self_attention(hidden, attention_mask, w_q, w_k, w_v, w_o, num_heads):
    d = hidden.shape[-1]
    if num_heads < 1 or d % num_heads != 0:
        raise ValueError(f"d = {d} is not divisible by num_heads = {num_heads}")
    q = split_heads(hidden @ w_q, num_heads)
    k = split_heads(hidden @ w_k, num_heads)
    v = split_heads(hidden @ w_v, num_heads)
    keep = (attention_mask[0] != 0)[None, None, None, :]
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    scores = scores.masked_fill(~keep, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return merge_heads(weights @ v) @ w_o


def split_heads(x, num_heads):
    b, n, d = x.shape
    return x.reshape(b, n, num_heads, d // num_heads).transpose(1, 2)


def merge_heads(x):
    b, h, n, d_k = x.shape
    return x.transpose(1, 2).reshape(b, n, h * d_k)
