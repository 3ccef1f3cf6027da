"""problem27 · linear attention. Read the statement: attn-practice show problem27"""

import torch


def linear_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                     causal: bool = False) -> torch.Tensor:
    """Linear attention with the feature map phi(x) = elu(x) + 1.

    q, k: [..., n, d]; v: [..., n, d_v]. Returns [..., n, d_v]:
    out_i = phi(q_i)^T S / phi(q_i)^T z, S = sum_j phi(k_j) v_j^T [d, d_v], z = sum_j phi(k_j) [d],
    the sums over all j, or over j <= i when causal. Never build an [n, n] matrix.
    """
    # TODO: phi_q, phi_k = elu(q) + 1, elu(k) + 1
    # TODO: non-causal: S = phi_k^T @ v, z = phi_k summed over the positions; out = phi_q @ S / (phi_q . z)
    # TODO: causal: the same with prefix sums over positions j <= i (cumsum, or a loop over chunks)
    raise NotImplementedError("linear_attention is not written yet")
