"""problem8 · attention decoder. Read the statement: attn-practice show problem8"""

import torch


def generate(memory: torch.Tensor, embedding: torch.Tensor, w_out: torch.Tensor,
             bos_id: int, eos_id: int, max_len: int) -> tuple[list[int], torch.Tensor]:
    """Greedy decoding with attention over memory [n, d] (embedding [V, d], w_out [d, V]).

    Returns (ids, weights): the generated ids as a list of Python ints (without
    bos_id, with eos_id if it was produced) and each step's attention weights
    stacked into a tensor [T, n] (T = len(ids); [0, n] when max_len is 0).
    """
    # TODO: start from prev = bos_id; repeat while fewer than max_len ids exist:
    # TODO:   q = embedding[prev]; weights = softmax(memory @ q / sqrt(d)) over the n positions
    # TODO:   context = weights @ memory; logits = (q + context) @ w_out
    # TODO:   prev = argmax(logits) as a Python int (lowest id on ties); append it and the weights
    # TODO:   stop right after appending eos_id
    # TODO: return the ids and the weights stacked into [T, n] (an empty [0, n] tensor if none)
    raise NotImplementedError("generate is not written yet")
