# expect: can't allocate memory|MemoryError
import torch


def attention(query, keys, values):
    hoard = []
    while True:
        hoard.append(torch.ones(256, 1024, 1024))  # 1 GiB at a time
