# expect: NaN
import torch


def attention(query, keys, values):
    out = torch.full(query.shape[:-1] + values.shape[-1:], float("nan"), dtype=torch.float64)
    out[..., 0] = float("inf")
    return out.to(values.dtype) if values.is_floating_point() else out.float()
