"""Attention decoder: greedy text generation that looks back at the encoder's outputs.

Starting from the `bos_id` token, every step is one round of attention and one
choice of the next token:

    q       = embedding[prev]                     the last token, as a query  [d]
    weights = softmax(memory @ q / sqrt(d))       one weight per source pos.  [n]
    context = weights @ memory                    what the decoder reads      [d]
    logits  = (q + context) @ w_out               a score per vocabulary id   [V]
    prev    = argmax(logits)                      greedy choice, lowest id on ties

The chosen token is appended and fed back as the next query, until `eos_id` has
been appended or `max_len` tokens exist.

The guide's `text_generator` (coding exercise 4) does none of this: it calls
`attention Mechanism`, a name that does not parse and is never defined; it loops
over its input sequence without using the loop variable, so every iteration
computes the same thing from the same fixed query; and nothing it outputs is
ever fed back, so it does not generate a sequence step by step at all.
"""

import math

import torch


def generate(memory: torch.Tensor, embedding: torch.Tensor, w_out: torch.Tensor,
             bos_id: int, eos_id: int, max_len: int) -> tuple[list[int], torch.Tensor]:
    """Greedy decoding over memory [n, d]; returns (ids, weights [T, n])."""
    ids: list[int] = []
    steps: list[torch.Tensor] = []
    prev = bos_id
    while len(ids) < max_len:
        weights, logits = _step(memory, embedding[prev], w_out)
        prev = int(torch.argmax(logits))     # torch.argmax returns the first maximum
        ids.append(prev)
        steps.append(weights)
        if prev == eos_id:
            break
    if not steps:
        return ids, memory.new_zeros(0, memory.shape[0])  # [0, n]
    return ids, torch.stack(steps)                        # [T, n]


def _step(memory: torch.Tensor, q: torch.Tensor, w_out: torch.Tensor):
    """One decoder step for the query q [d]: (attention weights [n], logits [V])."""
    scores = memory @ q / math.sqrt(memory.shape[-1])  # [n]
    weights = torch.softmax(scores, dim=-1)            # [n], sums to 1
    context = weights @ memory                         # [d]
    logits = (q + context) @ w_out                     # [V], residual: query + context
    return weights, logits
