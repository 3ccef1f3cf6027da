"""problem24 · T5 relative position bias. Read the statement: attn-practice show problem24"""

import torch


def relative_position_bucket(relative_position: torch.Tensor, bidirectional: bool = True,
                             num_buckets: int = 32, max_distance: int = 128) -> torch.Tensor:
    """T5's bucket of each offset relative_position = key_pos - query_pos: int64, same shape."""
    # TODO: bidirectional: halve num_buckets, add num_buckets where the offset > 0, distance = |offset|
    #       otherwise: distance = -min(offset, 0) (keys after the query count as distance 0)
    # TODO: max_exact = num_buckets // 2; raise ValueError (naming max_distance) unless
    #       max_distance > max_exact
    # TODO: distance < max_exact: its own bucket; otherwise max_exact + floor(log(distance / max_exact)
    #       / log(max_distance / max_exact) * (num_buckets - max_exact)), capped at num_buckets - 1
    raise NotImplementedError("relative_position_bucket is not written yet")


def t5_position_bias(m: int, n: int, table: torch.Tensor, bidirectional: bool = True,
                     max_distance: int = 128) -> torch.Tensor:
    """The bias T5 adds to the scores of m queries over n keys: [h, m, n].

    table: [num_buckets, h]; bias[head, i, j] = table[bucket(j - i), head].
    """
    # TODO: the offsets key_pos - query_pos of every (i, j): [m, n]
    # TODO: their buckets, then look them up in the table and put the heads first: [h, m, n]
    raise NotImplementedError("t5_position_bias is not written yet")
