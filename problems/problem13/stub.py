"""problem13 · BERT self-attention with a padding mask. Read the statement: attn-practice show problem13"""

import torch


def bert_self_attention(hidden: torch.Tensor, attention_mask: torch.Tensor,
                        w_q: torch.Tensor, w_k: torch.Tensor, w_v: torch.Tensor,
                        w_o: torch.Tensor, num_heads: int) -> torch.Tensor:
    """Multi-head self-attention over hidden [b, n, d] in which no position attends to padding.

    attention_mask: [b, n] of 0/1 integers or bools, 1 = real token, 0 = padding.
    Each w_* is [d, d] and applied on the right (hidden @ w_q). Returns [b, n, d].
    """
    # TODO: project hidden with w_q, w_k, w_v and split each into heads: [b, h, n, d_k]
    # TODO: turn attention_mask (ints or bools) into a boolean "real token" mask for the keys
    # TODO: scores = q @ k^T / sqrt(d_k); -inf where the key is padding; softmax over the keys
    # TODO: weights @ v, merge the heads in order, multiply by w_o
    raise NotImplementedError("bert_self_attention is not written yet")
