"""Linear attention: softmax replaced by a feature map, so the n x n matrix never appears.

Softmax attention weighs key j for query i by exp(q_i . k_j) and normalises over j.
Katharopoulos et al. (2020) replace the exponential with a kernel that factorises,
sim(q, k) = phi(q) . phi(k), with the positive feature map phi(x) = elu(x) + 1:

    out_i = sum_j (phi(q_i) . phi(k_j)) v_j  /  sum_j phi(q_i) . phi(k_j)
          = phi(q_i)^T S  /  phi(q_i)^T z,    S = sum_j phi(k_j) v_j^T   [d, d_v]
                                              z = sum_j phi(k_j)         [d]

Associativity is the whole trick: (phi(Q) phi(K)^T) V costs O(n^2 d) and an
[n, n] matrix; phi(Q) (phi(K)^T V) costs O(n d d_v) and a [d, d_v] matrix.

Causal: query i may only use keys j <= i, so S and z become prefix sums S_i, z_i:
the state of a recurrent network, updated by S_i = S_{i-1} + phi(k_i) v_i^T. Here
the prefix sums are taken with cumsum, which holds all n states [n, d, d_v] at
once (64 MiB at n = 16384, d = d_v = 32, float32); a loop over chunks would hold
one state at a time.
"""

import torch
import torch.nn.functional as F


def phi(x: torch.Tensor) -> torch.Tensor:
    """The feature map elu(x) + 1: positive, and x + 1 for x > 0."""
    return F.elu(x) + 1


def linear_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                     causal: bool = False) -> torch.Tensor:
    """phi(q_i)^T S / phi(q_i)^T z with S, z summed over all keys (or over j <= i if causal)."""
    fq, fk = phi(q), phi(k)                                  # [..., n, d]
    if not causal:
        s = fk.transpose(-2, -1) @ v                         # [..., d, d_v]
        z = fk.sum(dim=-2, keepdim=True)                     # [..., 1, d]
        num = fq @ s                                         # [..., n, d_v]
        den = (fq * z).sum(dim=-1, keepdim=True)             # [..., n, 1]
        return num / den

    s = torch.cumsum(fk.unsqueeze(-1) * v.unsqueeze(-2), dim=-3)  # [..., n, d, d_v], S_i
    z = torch.cumsum(fk, dim=-2)                             # [..., n, d], z_i
    num = (fq.unsqueeze(-2) @ s).squeeze(-2)                 # [..., n, d_v]
    den = (fq * z).sum(dim=-1, keepdim=True)                 # [..., n, 1]
    return num / den
