"""problem26 · attention backward. Read the statement: attn-practice show problem26"""

import torch


def attention_backward(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                       grad_out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Gradients of out = softmax(q @ k^T / sqrt(d)) @ v, computed by hand (no autograd).

    q: [..., m, d], k: [..., n, d], v: [..., n, d_v], grad_out: [..., m, d_v] = dL/d(out).
    Returns (dq [..., m, d], dk [..., n, d], dv [..., n, d_v]).
    """
    # TODO: recompute the forward: S = q @ k^T / sqrt(d), P = softmax(S) over the keys (stable)
    # TODO: dv = P^T @ grad_out
    # TODO: dP = grad_out @ v^T, then dS = P * (dP - rowsum(dP * P))
    # TODO: dq = dS @ k / sqrt(d), dk = dS^T @ q / sqrt(d)
    raise NotImplementedError("attention_backward is not written yet")
