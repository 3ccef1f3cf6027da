import torch


def attention Mechanism(query, keys, values):
    similarity = torch.matmul(query, keys.T)
    return similarity
