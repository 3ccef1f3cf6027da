# expect: expected shape
import torch


def attention(query, keys, values):
    q, k, v = (t if t.is_floating_point() else t.float() for t in (query, keys, values))
    out = torch.softmax(q @ k.T, dim=-1) @ v
    return out.unsqueeze(0)  # [1, m, d_v] broadcasts against [m, d_v]
