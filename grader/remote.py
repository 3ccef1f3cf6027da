"""The `candidate` the hidden tests call: every call is forwarded to the sandbox.

Calls are recorded (inputs and what came back) so that feedback can show the
input of a failing check and the diagnosis can replay them on known mistakes.
If a call kills or times out the sandbox, the next call opens a fresh one.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from attn_practice.grader.sandbox.session import Sandbox
from attn_practice.grader.sandbox.wire import CallOutcome, ErrorKind, RemoteError


class AttemptError(Exception):
    """The attempt raised, crashed, timed out, or returned something that cannot cross over."""

    def __init__(self, error: RemoteError, call: CallRecord) -> None:
        super().__init__(f"{error.type}: {error.message}")
        self.error = error
        self.call = call


@dataclass
class CallRecord:
    test: str
    function: str
    args: tuple
    kwargs: dict
    outcome: CallOutcome | None = None
    grad: dict | None = None
    echo: bool = False
    measured: bool = False  # a memory measurement: large inputs, judged on memory alone

    @property
    def error(self) -> RemoteError | None:
        return self.outcome.error if self.outcome else None


@dataclass
class CallLog:
    records: list[CallRecord] = field(default_factory=list)
    current_test: str = ""
    output: dict[str, list[str]] = field(default_factory=dict)

    def for_test(self, test: str) -> list[CallRecord]:
        return [r for r in self.records if r.test == test]


class RemoteFunction:
    def __init__(self, candidate: Candidate, name: str) -> None:
        self._candidate, self.name = candidate, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._candidate._call(self.name, args, kwargs).value

    def with_grad(self, *args: Any, wrt: list[int | str], cotangent: Any,
                  output: int | None = None, **kwargs: Any) -> tuple[Any, list[Any]]:
        """Call, then backpropagate `cotangent` from the output; returns (value, grads of wrt)."""
        grad = {"wrt": list(wrt), "output": output, "cotangent": cotangent}
        outcome = self._candidate._call(self.name, args, kwargs, grad=grad)
        return outcome.value, outcome.grads

    def with_peak_memory(self, *args: Any, **kwargs: Any) -> tuple[Any, int]:
        """Call in a fresh sandbox; return (value, peak extra resident bytes during the call)."""
        self._candidate._sandbox.close()  # a fresh process: nothing cached from earlier calls
        outcome = self._candidate._call(self.name, args, kwargs, measure=True)
        return outcome.value, int(outcome.peak_memory_bytes or 0)

    def with_inputs_after(self, *args: Any, **kwargs: Any) -> tuple[Any, tuple, dict]:
        """Call, and also return the inputs as the function left them (to catch in-place edits)."""
        outcome = self._candidate._call(self.name, args, kwargs, echo=True)
        after = outcome.args_after or {}
        return outcome.value, tuple(after.get("args", ())), after.get("kwargs", {})


class Candidate:
    """Attribute access gives a forwarding function: `candidate.attention(q, k, v)`."""

    def __init__(self, sandbox: Sandbox, log: CallLog) -> None:
        self._sandbox, self._log = sandbox, log

    def __getattr__(self, name: str) -> RemoteFunction:
        if name.startswith("_"):
            raise AttributeError(name)
        return RemoteFunction(self, name)

    def _call(self, fn: str, args: tuple, kwargs: dict, *, grad: dict | None = None,
              echo: bool = False, measure: bool = False) -> CallOutcome:
        record = CallRecord(self._log.current_test, fn, _snapshot(args), _snapshot(kwargs),
                            grad=grad, echo=echo, measured=measure)
        self._log.records.append(record)
        session = self._sandbox.ensure()
        if session is None:
            error = self._sandbox.load_error or RemoteError(ErrorKind.CRASH, "Crash", "no sandbox")
            record.outcome = CallOutcome(False, error=error)
            raise AttemptError(error, record)
        outcome = session.call(fn, args, kwargs, grad=grad, echo_args=echo,
                               measure_memory=measure)
        record.outcome = outcome
        if outcome.output:
            self._log.output.setdefault(record.test, []).append(outcome.output)
        if not outcome.ok:
            raise AttemptError(outcome.error, record)
        return outcome


def _snapshot(value: Any) -> Any:
    """Keep the inputs as they were sent, even if a test reuses and edits them later."""
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 - inputs come from hidden tests: best effort
        return value
