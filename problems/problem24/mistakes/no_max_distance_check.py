"""Known mistake: max_distance <= max_exact is not rejected."""

import math

import torch


def relative_position_bucket(relative_position: torch.Tensor, bidirectional: bool = True,
                             num_buckets: int = 32, max_distance: int = 128) -> torch.Tensor:
    """T5's bucket (int64, same shape) of each offset key_pos - query_pos."""
    offset = relative_position.long()                                     # [...]
    bucket = torch.zeros_like(offset)                                     # [...]
    if bidirectional:
        num_buckets //= 2
        bucket = bucket + (offset > 0).long() * num_buckets              # upper half: j > i
        distance = offset.abs()                                           # [...]
    else:
        distance = -offset.clamp(max=0)                                   # [...], j > i -> 0
    max_exact = num_buckets // 2
    if max_exact < 1:
        raise ValueError(f"num_buckets = {num_buckets} leaves no exact bucket")
    is_small = distance < max_exact                                       # [...]
    ratio = distance.clamp(min=max_exact).float() / max_exact             # [...] >= 1, no log(0)
    log_bucket = torch.log(ratio) / math.log(max_distance / max_exact) * (num_buckets - max_exact)
    large = (max_exact + log_bucket.floor().long()).clamp(max=num_buckets - 1)  # [...]
    return bucket + torch.where(is_small, distance, large)                # [...]


def t5_position_bias(m: int, n: int, table: torch.Tensor, bidirectional: bool = True,
                     max_distance: int = 128) -> torch.Tensor:
    """The bias [h, m, n] T5 adds to the scores of m queries over n keys; table is [num_buckets, h]."""
    num_buckets = table.shape[0]
    query_pos = torch.arange(m, device=table.device)[:, None]            # [m, 1]
    key_pos = torch.arange(n, device=table.device)[None, :]              # [1, n]
    buckets = relative_position_bucket(key_pos - query_pos, bidirectional,
                                       num_buckets, max_distance)         # [m, n]
    return table[buckets].permute(2, 0, 1)                                # [m, n, h] -> [h, m, n]
