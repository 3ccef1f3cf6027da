"""Known mistake: the step weights stacked as columns, [n, T] instead of [T, n]."""

import math

import torch


def generate(memory, embedding, w_out, bos_id, eos_id, max_len):
    ids = []
    steps = []
    prev = bos_id
    while len(ids) < max_len:
        q = embedding[prev]
        scores = memory @ q / math.sqrt(memory.shape[-1])
        weights = torch.softmax(scores, dim=-1)
        context = weights @ memory
        logits = (q + context) @ w_out
        prev = int(torch.argmax(logits))
        ids.append(prev)
        steps.append(weights)
        if prev == eos_id:
            break
    if not steps:
        return ids, memory.new_zeros(memory.shape[0], 0)
    return ids, torch.stack(steps, dim=1)
