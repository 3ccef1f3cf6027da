"""Known mistake: ordinary full attention; chunk_size is ignored and the whole [m, n] matrix is built."""

import math

import torch


def chunked_attention(q, k, v, chunk_size):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    return torch.softmax(scores, dim=-1) @ v
