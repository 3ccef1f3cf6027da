"""Online-softmax attention: scaled dot-product attention, one chunk of keys at a time.

Full attention builds the score matrix S = q @ k.T / sqrt(d), [m, n], takes a
softmax over each row and multiplies by v. For long sequences S is the problem:
at m = n = 8192 it is 256 MiB in float32. The softmax only needs three numbers
per query row, which can be kept up to date as the keys arrive chunk by chunk:

    mx   running maximum of the scores seen so far                  [m, 1]
    l    running normaliser  sum_j exp(s_j - mx)                    [m, 1]
    acc  running weighted sum  sum_j exp(s_j - mx) v_j               [m, d_v]

When a chunk raises the maximum from mx to mx_new, everything accumulated so
far was measured against the old maximum and is multiplied by
alpha = exp(mx - mx_new) <= 1 before the chunk's own terms are added. At the end
acc / l is exactly softmax(S) @ v. This is the recurrence inside FlashAttention.

What the guide got wrong: it says attention "reduces computation" and that
dot-product attention costs "O(1)". Every query still scores every key:
O(m * n * d) arithmetic and, done naively, an [m, n] matrix in memory. The
chunked recurrence does the same O(m * n * d) arithmetic (a little more, for the
rescaling); what it saves is memory: O(m * chunk_size) for the scores instead of
O(m * n).
"""

import math

import torch


def chunked_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                      chunk_size: int) -> torch.Tensor:
    """softmax(q @ k.T / sqrt(d)) @ v, visiting the keys in chunks of chunk_size."""
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    n, scale = k.shape[-2], 1.0 / math.sqrt(q.shape[-1])

    mx = q.new_full((*q.shape[:-1], 1), -math.inf)         # [..., m, 1]
    l = q.new_zeros((*q.shape[:-1], 1))                      # [..., m, 1]
    acc = q.new_zeros((*q.shape[:-1], v.shape[-1]))          # [..., m, d_v]
    for start in range(0, n, chunk_size):                    # the last chunk may be shorter
        kc = k[..., start:start + chunk_size, :]             # [..., c, d]
        vc = v[..., start:start + chunk_size, :]             # [..., c, d_v]
        s = q @ kc.transpose(-2, -1) * scale                 # [..., m, c]
        mx_new = torch.maximum(mx, s.amax(dim=-1, keepdim=True))  # [..., m, 1]
        alpha = torch.exp(mx - mx_new)                       # [..., m, 1], rescales the past
        p = torch.exp(s - mx_new)                            # [..., m, c], each <= 1
        l = alpha * l + p.sum(dim=-1, keepdim=True)          # [..., m, 1]
        acc = alpha * acc + p @ vc                           # [..., m, d_v]
        mx = mx_new
    return acc / l                                           # [..., m, d_v]
