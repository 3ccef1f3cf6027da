"""exp without subtracting the max, masked by multiplying: 0/0 and inf/inf on large or very negative
scores. "-1e4 fill" agrees on the rows where every score underflows, but not on the rest: no
known mistake is named, and the overflow probe names the cause."""
import math
import torch

def scaled_dot_product_attention(q, k, v, mask=None):
    s = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    e = torch.exp(s)
    if mask is not None:
        e = e * mask
    denom = e.sum(-1, keepdim=True)
    w = e / torch.where(denom == 0, torch.ones_like(denom), denom)
    return w @ v, w
