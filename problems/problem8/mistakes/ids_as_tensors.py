"""Known mistake: the argmax is kept as a 0-d tensor, so the ids are tensors, not Python ints."""

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
        prev = torch.argmax(logits)
        ids.append(prev)
        steps.append(weights)
        if prev == eos_id:
            break
    if not steps:
        return ids, memory.new_zeros(0, memory.shape[0])
    return ids, torch.stack(steps)
