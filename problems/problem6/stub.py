"""problem6 · shared attention. Read the statement: attn-practice show problem6"""

import torch


def shared_attention(query: torch.Tensor, keys: torch.Tensor, values: torch.Tensor,
                     weight: torch.Tensor) -> torch.Tensor:
    """Attention of a query [d] (or queries [m, d]) over keys [n, d] and values [n, d_v].

    weight [d, d_k] is one projection shared by the queries and the keys.
    Returns the output [d_v] (or [m, d_v]).
    """
    # TODO: project the queries AND the keys with the same weight
    # TODO: scores = projected queries @ projected keys.T, scaled by 1/sqrt(d_k)
    # TODO: softmax over the keys, then the weighted sum of the values
    raise NotImplementedError("shared_attention is not written yet")
