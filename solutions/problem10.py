"""Self-attention: a sequence attends to itself, through three learned projections.

    Q = x @ w_q                       what each position looks for    [..., n, d_k]
    K = x @ w_k                       what each position offers       [..., n, d_k]
    V = x @ w_v                       what each position passes on    [..., n, d_v]
    scores  = Q @ K^T / sqrt(d_k)     position i against position j   [..., n, n]
    causal: scores[i, j] = -inf where j > i (no looking ahead)
    weights = softmax(scores)         over j, the last axis           [..., n, n]
    output  = weights @ V                                             [..., n, d_v]

The guide describes self-attention as each element "serving as its own key,
value and query". Taken literally that is attention with x as query, key and
value at once: the scores are symmetric, and a token's score with itself,
|x|^2, is at least its score with any shorter token, so tokens tend to attend
to themselves. The three projections are what make self-attention learnable:
Q, K and V are different views of the same x.

The causal mask keeps the diagonal (j <= i): position 0 always sees itself, so
no row is ever fully masked and the -inf entries never make a NaN. The mask goes
on the scores before the softmax, so each row's weights still sum to 1.
"""

import math

import torch


def self_attention(x: torch.Tensor, w_q: torch.Tensor, w_k: torch.Tensor, w_v: torch.Tensor,
                   causal: bool = False) -> torch.Tensor:
    """Scaled dot-product self-attention of x [..., n, d_model]; causal: i attends to j <= i."""
    d_k = w_k.shape[-1]
    q = x @ w_q                                        # [..., n, d_k]
    k = x @ w_k                                        # [..., n, d_k]
    v = x @ w_v                                        # [..., n, d_v]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)  # [..., n, n], last two axes only
    if causal:
        allowed = _causal_mask(x.shape[-2], x.device)  # [n, n], j <= i
        scores = scores.masked_fill(~allowed, float("-inf"))  # not in place
    weights = torch.softmax(scores, dim=-1)            # [..., n, n], rows sum to 1
    return weights @ v                                 # [..., n, d_v]


def _causal_mask(n: int, device: torch.device) -> torch.Tensor:
    """[n, n] bool, True where query i may attend to key j, i.e. j <= i."""
    return torch.ones(n, n, dtype=torch.bool, device=device).tril()
