"""problem10 · self-attention. Read the statement: attn-practice show problem10"""

import torch


def self_attention(x: torch.Tensor, w_q: torch.Tensor, w_k: torch.Tensor, w_v: torch.Tensor,
                   causal: bool = False) -> torch.Tensor:
    """Scaled dot-product self-attention of a sequence x [..., n, d_model].

    w_q and w_k are [d_model, d_k], w_v is [d_model, d_v]. With causal=True, position i
    attends only to positions j <= i. Returns [..., n, d_v].
    """
    # TODO: Q, K, V = x @ w_q, x @ w_k, x @ w_v
    # TODO: scores = Q @ K^T (transpose the last two axes only), scaled by 1/sqrt(d_k)
    # TODO: if causal, mask the scores where j > i before the softmax
    # TODO: softmax over the keys, then the weighted sum of V
    raise NotImplementedError("self_attention is not written yet")
