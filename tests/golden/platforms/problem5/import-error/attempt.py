import torch

WEIGHTS = torch.ones(3) @ torch.ones(4)  # fails as soon as the file is imported


def attention(query, keys, values):
    return values
