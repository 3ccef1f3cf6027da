"""Known mistake: P recomputed from a log-sum-exp kept in float32, as FlashAttention stores it, even in a float64 call."""

import math

import torch


def attention_backward(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                       grad_out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(dq, dk, dv) of out = softmax(q @ k^T / sqrt(d)) @ v, given dL/dout = grad_out."""
    scale = 1.0 / math.sqrt(q.shape[-1])
    s = q @ k.transpose(-2, -1) * scale                      # [..., m, n]
    lse = torch.logsumexp(s.float(), dim=-1, keepdim=True)
    p = torch.exp(s - lse.to(s.dtype))

    dv = p.transpose(-2, -1) @ grad_out                      # [..., n, d_v]
    dp = grad_out @ v.transpose(-2, -1)                      # [..., m, n]
    ds = p * (dp - (dp * p).sum(dim=-1, keepdim=True))       # [..., m, n], softmax Jacobian
    dq = ds @ k * scale                                      # [..., m, d]
    dk = ds.transpose(-2, -1) @ q * scale                    # [..., n, d]
    return dq, dk, dv
