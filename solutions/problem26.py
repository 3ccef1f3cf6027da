"""The backward pass of attention, by hand.

Forward, for one query row at a time (any leading batch dimensions):

    S = q @ k^T / sqrt(d)          scores                       [..., m, n]
    P = softmax(S)                 over the keys (last axis)    [..., m, n]
    O = P @ v                      output                       [..., m, d_v]

Given dO = dL/dO, the chain rule walks these three lines backwards:

    dv = P^T @ dO                  O is linear in v             [..., n, d_v]
    dP = dO @ v^T                  O is linear in P             [..., m, n]
    dS = P * (dP - rowsum(dP * P)) the softmax Jacobian         [..., m, n]
    dq = dS @ k / sqrt(d)          S is bilinear in q and k     [..., m, d]
    dk = dS^T @ q / sqrt(d)                                     [..., n, d]

The softmax line is the one to understand. For one row p = softmax(s),
dp_j/ds_i = p_j (delta_ij - p_i): the Jacobian is diag(p) - p p^T. Multiplying
it by the incoming gradient dp gives p * dp - p (p . dp), i.e.
p * (dp - rowsum(dp * p)). The subtracted row sum exists because the weights
must keep summing to one: raising one score takes weight away from all others.
(FlashAttention's backward computes the same row sum as rowsum(dO * O), which is
equal, since O = P @ v.) Never build the [n, n] Jacobian per row: the
elementwise form costs O(m * n) per batch element.

P is recomputed from the scores with a stable softmax (subtract the row maximum
before exp), so scores in the thousands neither overflow nor lose precision.
"""

import math

import torch


def attention_backward(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                       grad_out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(dq, dk, dv) of out = softmax(q @ k^T / sqrt(d)) @ v, given dL/dout = grad_out."""
    scale = 1.0 / math.sqrt(q.shape[-1])
    s = q @ k.transpose(-2, -1) * scale                      # [..., m, n]
    p = torch.softmax(s, dim=-1)                             # [..., m, n], stable

    dv = p.transpose(-2, -1) @ grad_out                      # [..., n, d_v]
    dp = grad_out @ v.transpose(-2, -1)                      # [..., m, n]
    ds = p * (dp - (dp * p).sum(dim=-1, keepdim=True))       # [..., m, n], softmax Jacobian
    dq = ds @ k * scale                                      # [..., m, d]
    dk = ds.transpose(-2, -1) @ q * scale                    # [..., n, d]
    return dq, dk, dv
