"""Known mistake: dk without the 1/sqrt(d) (dq has it)."""

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
    dk = ds.transpose(-2, -1) @ q
    return dq, dk, dv
