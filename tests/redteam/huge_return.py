# expect: too large to send back|larger than
import torch


def attention(query, keys, values):
    return torch.zeros(100, 1024, 1024)  # 400 MiB
