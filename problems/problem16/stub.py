"""problem16 · multi-hop attention. Read the statement: attn-practice show problem16"""

import torch


def multi_hop_attention(query: torch.Tensor, keys: torch.Tensor, values: torch.Tensor,
                        hops: int) -> tuple[torch.Tensor, torch.Tensor]:
    """`hops` rounds of attention over keys [n, d] and values [n, d], each refining the query [d].

    Returns (u after the last hop [d], the weights of every hop stacked [hops, n]).
    """
    # TODO: raise ValueError (naming hops) if hops < 1
    # TODO: u = query; for each hop: p = softmax(keys @ u) (no scaling), o = p @ values,
    #       u = u + o (a new tensor, not in place)
    # TODO: return u and the hops' weights stacked into [hops, n]
    raise NotImplementedError("multi_hop_attention is not written yet")
