"""Unit tests of the trusted side's judging: compare, checks and diagnose, without a sandbox."""

from __future__ import annotations

import math

import pytest
import torch

from attn_practice.grader.catalog import Tolerance
from attn_practice.grader.checks import (
    CheckFailure, check_inputs_unchanged, current_judging, expect_close, expect_raises, judging,
)
from attn_practice.grader.compare import agree, compare_tensors
from attn_practice.grader.diagnose import diagnose, replay
from attn_practice.grader.loading import load_trusted_module
from attn_practice.grader.remote import AttemptError, CallLog, CallRecord
from attn_practice.grader.results import CheckResult, FailureKind, Status
from attn_practice.grader.sandbox.wire import CallOutcome, ErrorKind, RemoteError

TIGHT = Tolerance(rtol=1e-9, atol=1e-11)

# --- compare ---------------------------------------------------------------------------


def test_shape_is_compared_before_values_and_never_broadcast() -> None:
    kind, message, comp = compare_tensors(torch.zeros(4, 1), torch.zeros(4), "output", TIGHT)
    assert kind is FailureKind.SHAPE and "expected shape (4,), got (4, 1)" in message
    assert comp.actual_shape == [4, 1] and comp.expected_shape == [4]


def test_dtype_then_type() -> None:
    kind, message, _ = compare_tensors(torch.zeros(3), torch.zeros(3, dtype=torch.float64),
                                       "w", TIGHT)
    assert kind is FailureKind.DTYPE and "float64" in message and "float32" in message
    kind, message, _ = compare_tensors([0.0, 0.0], torch.zeros(2), "w", TIGHT)
    assert kind is FailureKind.TYPE and "expected a torch.Tensor" in message


def test_values_report_the_worst_element_and_its_error() -> None:
    expected = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)
    actual = expected.clone()
    actual[1, 0] = 3.5
    kind, message, comp = compare_tensors(actual, expected, "output", TIGHT)
    assert kind is FailureKind.MISMATCH and "1 of 4 values differ" in message
    assert comp.worst_index == [1, 0] and comp.max_abs_error == pytest.approx(0.5)
    assert comp.max_rel_error == pytest.approx(0.5 / 3)
    assert (comp.expected_at_worst, comp.actual_at_worst) == (3.0, 3.5)


def test_nan_where_finite_values_are_expected_is_its_own_kind() -> None:
    expected = torch.ones(3, dtype=torch.float64)
    actual = torch.tensor([1.0, math.nan, 1.0], dtype=torch.float64)
    kind, message, comp = compare_tensors(actual, expected, "output", TIGHT)
    assert kind is FailureKind.NOT_FINITE and comp.actual_nan == 1 and "1 NaN" in message


def test_within_tolerance_passes_and_agree_is_loose() -> None:
    expected = torch.ones(5, dtype=torch.float64)
    assert compare_tensors(expected + 1e-12, expected, "x", TIGHT)[0] is None
    loose = Tolerance(rtol=1e-3, atol=1e-4)
    assert agree((expected, [1.0]), (expected + 1e-5, [1.0]), loose)
    assert not agree(expected, expected.float(), loose)  # a different dtype is not the same
    assert not agree((expected,), (expected, expected), loose)


# --- checks ----------------------------------------------------------------------------


def test_expect_close_uses_the_tolerances_of_the_judging_context() -> None:
    expected = torch.ones(3, dtype=torch.float64)
    near = expected + 1e-6
    with pytest.raises(CheckFailure):
        expect_close(near, expected)  # the default float64 tolerance is tight
    with judging({"float64": Tolerance(rtol=1e-4, atol=1e-5)}) as context:
        assert current_judging() is context
        expect_close(near, expected)
    with pytest.raises(CheckFailure):  # and the context ends with its run
        expect_close(near, expected)


def test_expect_close_names_each_value_of_a_tuple() -> None:
    expected = (torch.zeros(2), torch.zeros(3))
    with pytest.raises(CheckFailure) as caught:
        expect_close((torch.zeros(2),), expected, what=["output", "weights"])
    assert caught.value.kind is FailureKind.TYPE and "(output, weights)" in caught.value.message
    with pytest.raises(CheckFailure) as caught:
        expect_close((torch.zeros(2), torch.ones(3)), expected, what=["output", "weights"])
    assert caught.value.message.startswith("weights:")


def _attempt_error(kind: ErrorKind, type_: str, message: str) -> AttemptError:
    error = RemoteError(kind, type_, message, mro=[type_, "Exception"])
    return AttemptError(error, CallRecord("t", "f", (), {}))


def test_expect_raises_judges_the_attempts_exception_by_name_and_message() -> None:
    with expect_raises(ValueError, mentions=["4", "5"]):
        raise _attempt_error(ErrorKind.EXCEPTION, "ValueError", "d=4 is not divisible by h=5")
    with pytest.raises(CheckFailure) as caught:
        with expect_raises(ValueError, mentions=["4"]):
            raise _attempt_error(ErrorKind.EXCEPTION, "RuntimeError", "boom")
    assert caught.value.kind is FailureKind.WRONG_EXCEPTION
    with pytest.raises(CheckFailure) as caught:
        with expect_raises(ValueError):
            pass
    assert caught.value.kind is FailureKind.DID_NOT_RAISE
    with pytest.raises(AttemptError):  # a timeout is not an answer: it propagates
        with expect_raises(ValueError):
            raise _attempt_error(ErrorKind.TIMEOUT, "Timeout", "too slow")


class _EchoingFunction:
    """Stands in for a forwarded function: returns the inputs as the 'sandbox' left them."""

    def __init__(self, edit) -> None:
        self.edit = edit

    def with_inputs_after(self, *args, **kwargs):
        after = [a.clone() for a in args]
        self.edit(after)
        return "value", tuple(after), kwargs


def test_check_inputs_unchanged_names_the_edited_input() -> None:
    q, k = torch.ones(2), torch.ones(2)
    assert check_inputs_unchanged(_EchoingFunction(lambda a: None), q, k) == "value"
    with pytest.raises(CheckFailure) as caught:
        check_inputs_unchanged(_EchoingFunction(lambda a: a[1].mul_(2)), q, k, names=["q", "k"])
    assert caught.value.kind is FailureKind.MODIFIED_INPUT and "input k in place" in caught.value.message
    cache = torch.full((2, 3), float("nan"))  # NaN in an input is unchanged when left alone
    assert check_inputs_unchanged(_EchoingFunction(lambda a: None), cache) == "value"
    with pytest.raises(CheckFailure):
        check_inputs_unchanged(_EchoingFunction(lambda a: a[0].zero_()), cache)


# --- diagnose --------------------------------------------------------------------------


def _log_of(module, calls: list[tuple[str, tuple]]) -> CallLog:
    """A call log as the sandbox would have recorded it for an attempt behaving like `module`."""
    log = CallLog()
    for test, args in calls:
        outcome = replay(module, CallRecord(test, "attention", args, {}))
        if outcome.raised:
            error = RemoteError(ErrorKind.EXCEPTION, outcome.raised, outcome.message)
            record_outcome = CallOutcome(False, error=error)
        else:
            record_outcome = CallOutcome(True, value=outcome.value)
        log.records.append(CallRecord(test, "attention", args, {}, outcome=record_outcome))
    return log


def test_diagnose_names_the_mistake_that_explains_the_failing_checks(catalog) -> None:
    problem = catalog.get("problem5")
    reference = load_trusted_module(problem.solution_path, "reference solution")
    mistake = next(m for m in problem.mistakes if m.id == "softmax-over-queries")
    module = load_trusted_module(mistake.path, "known mistake")
    g = torch.Generator().manual_seed(0)
    calls = [(f"test_{i}", (torch.randn(4, 8, generator=g, dtype=torch.float64),
                            torch.randn(6, 8, generator=g, dtype=torch.float64),
                            torch.randn(6, 3, generator=g, dtype=torch.float64)))
             for i in range(3)]
    log = _log_of(module, calls)
    checks = [CheckResult(t, t, Status.FAIL, FailureKind.MISMATCH) for t, _ in calls]
    diagnosis, per_check = diagnose(problem, log, checks, reference)
    assert diagnosis is not None and diagnosis.mistake_id == "softmax-over-queries"
    assert diagnosis.matched == 3 and per_check == {t: "softmax-over-queries" for t, _ in calls}


def test_diagnose_names_nothing_when_the_reference_itself_was_returned(catalog) -> None:
    problem = catalog.get("problem5")
    reference = load_trusted_module(problem.solution_path, "reference solution")
    q, k, v = torch.ones(2, 4), torch.ones(3, 4), torch.ones(3, 2)
    log = _log_of(reference, [("test_a", (q, k, v))])
    checks = [CheckResult("test_a", "a", Status.FAIL, FailureKind.OTHER)]
    diagnosis, _ = diagnose(problem, log, checks, reference)
    assert diagnosis is None  # a mistake must be wrong where the attempt failed


def test_diagnose_wants_the_attempt_nearer_the_mistake_than_the_reference(catalog) -> None:
    """Where a mistake's effect is small (tiny scores: scaling them by 1/sqrt(d) hardly
    matters), an attempt halfway between it and the reference agrees loosely with both; the
    mistake is named only for an attempt much nearer it than the reference."""
    problem = catalog.get("problem5")
    reference = load_trusted_module(problem.solution_path, "reference solution")
    g = torch.Generator().manual_seed(1)
    calls = [(f"test_{i}", (torch.randn(4, 8, generator=g, dtype=torch.float64) * 1e-5,
                            torch.randn(6, 8, generator=g, dtype=torch.float64),
                            torch.randn(6, 3, generator=g, dtype=torch.float64)))
             for i in range(3)]
    checks = [CheckResult(t, t, Status.FAIL, FailureKind.MISMATCH) for t, _ in calls]
    mistake = next(m for m in problem.mistakes if m.id == "scaled-scores")
    itself = load_trusted_module(mistake.path, "known mistake")
    named, _ = diagnose(problem, _log_of(itself, calls), checks, reference)
    assert named is not None and named.mistake_id == "scaled-scores"

    class HalfWay:  # as far from the mistake as from the reference
        @staticmethod
        def attention(q, k, v):
            a, b = reference.attention(q, k, v), itself.attention(q, k, v)
            return (a + b) / 2

    other, _ = diagnose(problem, _log_of(HalfWay, calls), checks, reference)
    assert other is None


def test_a_list_of_numbers_is_data_its_length_a_shape() -> None:
    """Generated ids of the wrong length are a wrong shape, not a wrong kind of return."""
    from attn_practice.grader.checks import CheckFailure, expect_close
    from attn_practice.grader.returns import wrong_return

    assert wrong_return("generate", ([1, 2, 3], torch.zeros(3, 2)), ([1, 2], torch.zeros(2, 2))) \
        is None
    assert wrong_return("generate", ([], torch.zeros(0, 2)), ([4], torch.zeros(1, 2))) is None
    assert "returned None" in wrong_return("generate", None, ([1], torch.zeros(1, 2)))
    with pytest.raises(CheckFailure) as ids:
        expect_close([1, 2, 3], [1, 2], "ids")
    assert ids.value.kind is FailureKind.SHAPE and "got 3" in str(ids.value)
    with pytest.raises(CheckFailure) as pair:
        expect_close((torch.zeros(2),), (torch.zeros(2), torch.zeros(2)))
    assert pair.value.kind is FailureKind.TYPE
