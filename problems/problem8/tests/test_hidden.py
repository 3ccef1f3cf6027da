"""Hidden checks for problem8 (attention decoder). Run by the grader, never shown to learners."""

import pytest
import torch

from grader.checks import (
    check_gradients, check_inputs_unchanged, expect_close, expect_finite, expect_true, randn,
)
from grader.results import FailureKind

DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]


def _model(n, d, vocab, dtype, seed, scale=1.0):
    """memory [n, d], embedding [vocab, d], w_out [d, vocab]."""
    return (randn(n, d, dtype=dtype, seed=seed, scale=scale),
            randn(vocab, d, dtype=dtype, seed=seed + 1, scale=scale),
            randn(d, vocab, dtype=dtype, seed=seed + 2))


def _expect_generation(got, expected):
    """(ids, weights): ids a list of Python ints equal to the reference's, weights close."""
    expect_true(isinstance(got, (tuple, list)) and len(got) == 2,
                f"expected a pair (ids, weights), got {type(got).__name__}"
                + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else ""),
                FailureKind.TYPE)
    ids, weights = got
    want_ids, want_weights = expected
    expect_true(type(ids) is list,
                f"ids: expected a Python list, got {type(ids).__name__}", FailureKind.TYPE)
    bad = [i for i in ids if type(i) is not int]
    expect_true(not bad, f"ids: expected Python ints, got an element of type "
                f"{type(bad[0]).__name__ if bad else ''} (convert with int(...))",
                FailureKind.TYPE)
    expect_close(ids, want_ids, "ids")
    expect_close(weights, want_weights, "weights")


def test_worked_example(candidate, reference):
    """The statement's worked example: memory [3, 2], vocabulary of 4, generates [1, 2, 3] and
    stops at eos 3."""
    memory = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    embedding = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    w_out = torch.tensor([[0.0, 1.0, 2.0, -1.0], [0.0, 1.0, -1.0, 2.0]])
    args = (memory, embedding, w_out, 0, 3, 5)
    _expect_generation(candidate.generate(*args), reference.generate(*args))


# (n, d, vocab, seed, bos_id, eos_id, max_len): the sequences visit several different
# tokens; n1-V5 stops at eos after 4 tokens, the others never produce eos and run to max_len.
CASES = [
    (5, 4, 7, 21, 0, 2, 8),
    (1, 3, 5, 18, 0, 2, 6),
    (6, 8, 20, 39, 0, 3, 8),
    (9, 16, 12, 45, 1, 11, 8),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("n,d,vocab,seed,bos,eos,max_len", CASES,
                         ids=["n5-V7", "n1-V5", "n6-V20", "n9-V12"])
def test_greedy_tokens_and_weights(candidate, reference, n, d, vocab, seed, bos, eos, max_len,
                                   dtype):
    """Greedy decoding over memory [n, d] with vocabulary V: the exact token ids and every step's
    weights [T, n]."""
    memory, embedding, w_out = _model(n, d, vocab, dtype, seed)
    args = (memory, embedding, w_out, bos, eos, max_len)
    _expect_generation(candidate.generate(*args), reference.generate(*args))


@pytest.mark.parametrize("eos_position", [1, 4], ids=["eos-first", "eos-fourth"])
def test_stops_right_after_eos(candidate, reference, eos_position):
    """When eos is generated the output ends with it: T ids, eos last, weights [T, n], although
    max_len allows more."""
    memory, embedding, w_out = _model(6, 8, 20, torch.float64, seed=39)
    free_run, _ = reference.generate(memory, embedding, w_out, 0, 3, 8)  # [19, 5, 1, 17, ...]
    eos = free_run[eos_position - 1]
    args = (memory, embedding, w_out, 0, eos, 8)
    expected = reference.generate(*args)
    assert expected[0][-1] == eos and len(expected[0]) == eos_position  # the case is built right
    _expect_generation(candidate.generate(*args), expected)


def test_bos_equal_to_eos(candidate, reference):
    """With bos_id == eos_id (one shared special token, as in GPT-2) decoding still starts: only a
    generated eos stops it."""
    memory, embedding, w_out = _model(9, 16, 12, torch.float64, seed=45)
    args = (memory, embedding, w_out, 3, 3, 8)
    expected = reference.generate(*args)
    assert len(expected[0]) > 1  # the case is built right
    _expect_generation(candidate.generate(*args), expected)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_max_len_zero(candidate, reference, dtype):
    """max_len 0 generates nothing: ids [] and weights of shape [0, n] in the inputs' dtype."""
    memory, embedding, w_out = _model(5, 4, 7, dtype, seed=21)
    args = (memory, embedding, w_out, 0, 2, 0)
    _expect_generation(candidate.generate(*args), reference.generate(*args))


def test_max_len_one(candidate, reference):
    """max_len 1 generates exactly one token: ids of length 1 and weights [1, n]."""
    memory, embedding, w_out = _model(6, 8, 20, torch.float32, seed=39)
    args = (memory, embedding, w_out, 0, 3, 1)
    _expect_generation(candidate.generate(*args), reference.generate(*args))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_ties_pick_lowest_index(candidate, reference, dtype):
    """Two logits tie exactly for the maximum (ids 2 and 5): greedy decoding picks the lower id, 2,
    at every step."""
    n, d, vocab = 4, 6, 8
    memory = randn(n, d, dtype=dtype, seed=60).abs()         # positive, so q + context > 0
    embedding = randn(vocab, d, dtype=dtype, seed=61).abs()
    w_out = -randn(d, vocab, dtype=dtype, seed=62).abs()     # every logit negative ...
    w_out[:, 2] = 0.0                                        # ... except ids 2 and 5,
    w_out[:, 5] = 0.0                                        # which are exactly 0
    args = (memory, embedding, w_out, 0, 5, 4)
    expected = reference.generate(*args)
    assert expected[0] == [2, 2, 2, 2]  # the case is built right
    _expect_generation(candidate.generate(*args), expected)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_large_scores_stay_finite(candidate, reference, dtype):
    """Attention scores around 1e4 (memory and embedding scaled by 100) must not overflow: finite
    weights, same tokens."""
    memory, embedding, w_out = _model(5, 8, 10, dtype, seed=2, scale=100.0)
    args = (memory, embedding, w_out, 0, 3, 6)
    got = candidate.generate(*args)
    if isinstance(got, (tuple, list)) and len(got) == 2:
        expect_finite(got[1], "weights")
    _expect_generation(got, reference.generate(*args))


def test_inputs_not_modified(candidate, reference):
    """The function leaves memory, embedding and w_out exactly as it got them."""
    memory, embedding, w_out = _model(6, 8, 20, torch.float64, seed=39)
    args = (memory, embedding, w_out, 0, 3, 8)
    got = check_inputs_unchanged(candidate.generate, *args,
                                 names=["memory", "embedding", "w_out", "bos_id", "eos_id",
                                        "max_len"])
    _expect_generation(got, reference.generate(*args))


def test_gradients_flow(candidate, reference):
    """Gradients of the weights [T, n] reach memory and embedding and equal the reference's
    (float64)."""
    memory, embedding, w_out = _model(5, 4, 7, torch.float64, seed=21)
    check_gradients(candidate.generate, reference.generate, [memory, embedding, w_out, 0, 2, 6],
                    wrt=[0, 1], output=1, names=["memory", "embedding"])
