"""Known mistake: the numerator phi(q_i)^T S is returned without dividing by phi(q_i)^T z."""

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
        return num

    s = torch.cumsum(fk.unsqueeze(-1) * v.unsqueeze(-2), dim=-3)  # [..., n, d, d_v], S_i
    z = torch.cumsum(fk, dim=-2)                             # [..., n, d], z_i
    num = (fq.unsqueeze(-2) @ s).squeeze(-2)                 # [..., n, d_v]
    return num
