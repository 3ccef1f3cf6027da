"""Multi-hop attention: "recursive attention" read the way memory networks do it.

One hop reads the memory with the current query, and adds what it read to the
query; the next hop reads again with that refined query:

    u = query                                        [d]
    repeat `hops` times:
        p = softmax(keys @ u)       where to look    [n]   (no scaling)
        o = p @ values              what was read    [d]
        u = u + o                   refined query    [d]   (residual)

This is the multi-hop read of end-to-end memory networks (with the same keys and
values at every hop, and the identity between hops). The second hop can find a
fact that only becomes relevant through the first: "where is the football?"
first finds "John picked up the football", and the query, now carrying "John",
then finds "John went to the kitchen".

The guide's "递归注意力" section only says that computing attention "recursively"
captures long-range dependencies. It never says what is recursed on, and
long-range dependencies are not what it adds: a single attention step already
links any two positions directly. What a hop adds is a read that depends on an
earlier read.
"""

import torch


def multi_hop_attention(query: torch.Tensor, keys: torch.Tensor, values: torch.Tensor,
                        hops: int) -> tuple[torch.Tensor, torch.Tensor]:
    """`hops` rounds of attention over keys/values [n, d], each refining the query [d].

    Returns (u after the last hop [d], the weights of every hop [hops, n]).
    """
    if hops < 1:
        raise ValueError(f"hops must be at least 1, got {hops}")
    u = query                                   # [d]
    steps = []
    for _ in range(hops):
        p = torch.softmax(keys @ u, dim=-1)     # [n], stable for large scores
        o = p @ values                          # [d]
        u = u + o                               # [d], a new tensor: query is untouched
        steps.append(p)
    return u, torch.stack(steps)                # [d], [hops, n]
