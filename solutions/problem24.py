"""T5's relative position bias (Raffel et al., "Exploring the Limits of Transfer Learning
with a Unified Text-to-Text Transformer", 2020).

T5 adds no position to the tokens. Each layer's attention adds a learned scalar per
head to every score, looked up by the offset between key and query:

    scores[head, i, j] = q_i . k_j + table[bucket(j - i), head]

One learned number per (bucket, head); T5 computes the bias in the first layer and
reuses it in every layer of the stack. The offsets are put in buckets so that a
small table covers any length:

    bidirectional (encoder): half the buckets for keys after the query (offset > 0),
                             half for keys at or before it; then distance = |offset|
    causal (decoder):        distance = -min(offset, 0): future keys count as 0
    distance <  max_exact:   its own bucket (max_exact = half the remaining buckets)
    distance >= max_exact:   max_exact + floor(log(distance / max_exact)
                                               / log(max_distance / max_exact)
                                               * (num_buckets - max_exact))
                             capped at num_buckets - 1

With 32 buckets, bidirectional (16 per direction, max_exact = 8): distances 0..7
are exact, and 8, 12, 16, 23, 32, 46, 64 and 91 start the 8 log-spaced buckets
8..15. max_distance = 128 is where the log scale would reach bucket 16, one past
the last, so the cap puts every distance from 91 on into bucket 15.

No 1/sqrt(d): T5 scales neither q . k nor the bias. The scale is folded into the
initialisation of w_q (Mesh TensorFlow's), so a reimplementation that divides by
sqrt(d) no longer matches the checkpoints.

The logarithm is taken in float32, as in T5's code: the buckets of a pretrained
model must be reproduced exactly, and where the ratio of logs is an exact integer
the last bit of rounding decides the bucket.
"""

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
    if max_distance <= max_exact:
        raise ValueError(f"max_distance = {max_distance} must exceed max_exact = {max_exact} "
                         f"(half of the {num_buckets} buckets of each direction)")
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
