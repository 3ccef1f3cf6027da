"""problem5 · simple attention. Read the statement: attn-practice show problem5"""

import torch


def attention(query: torch.Tensor, keys: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """Dot-product attention of a query [d] (or queries [m, d]) over keys [n, d] and values [n, d_v].

    Returns the output [d_v] (or [m, d_v]).
    """
    # TODO: convert integer inputs to torch.get_default_dtype()
    # TODO: raise ValueError (naming both shapes) if query and keys differ in d,
    #       or keys and values differ in n
    # TODO: scores = query @ keys.T, softmax over the keys, weighted sum of the values
    raise NotImplementedError("attention is not written yet")
