"""The types both sides of the sandbox agree on: error kinds, errors as data, outcomes, policy.

The sandbox child builds its error replies with `error_reply`; the trusted side
reads them back with `RemoteError.from_wire`. Nothing here imports torch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class ErrorKind(str, Enum):
    """Why a call into the sandbox did not return a value."""

    EXCEPTION = "exception"  # the attempt raised
    MISSING_FUNCTION = "missing_function"  # no such entry point in the attempt
    NOT_PLAIN_DATA = "not_plain_data"  # it returned something that cannot cross over
    WRONG_RETURN = "wrong_return"  # it returned something the call cannot use (None...)
    FORBIDDEN = "forbidden"  # it called a library function the problem forbids
    VIOLATION = "violation"  # the sandbox refused something it tried
    TIMEOUT = "timeout"  # the per-call limit
    BUDGET = "budget"  # the submission's total time ran out
    CRASH = "crash"  # the process died
    EXIT = "exit"  # the attempt called sys.exit
    PROTOCOL = "protocol"  # a malformed frame or value

    @property
    def out_of_time(self) -> bool:
        return self in (ErrorKind.TIMEOUT, ErrorKind.BUDGET)

    @property
    def ends_the_call(self) -> bool:
        """Kinds that are not the function's own answer (not an exception it chose to raise)."""
        return self in (ErrorKind.TIMEOUT, ErrorKind.BUDGET, ErrorKind.CRASH,
                        ErrorKind.VIOLATION, ErrorKind.FORBIDDEN)

    @property
    def comparable(self) -> bool:
        """Outcomes a known mistake can reproduce when its calls are replayed."""
        return self in (ErrorKind.EXCEPTION, ErrorKind.NOT_PLAIN_DATA, ErrorKind.WRONG_RETURN,
                        ErrorKind.MISSING_FUNCTION)


def error_reply(kind: ErrorKind, type_: str, message: str, *, mro: list[str] | None = None,
                frames: list[list[Any]] | None = None) -> dict[str, Any]:
    """The one shape of an error on the wire."""
    return {"ok": False, "error": {"kind": kind.value, "type": type_, "message": message,
                                   "mro": mro if mro is not None else [type_],
                                   "frames": frames or []}}


@dataclass
class RemoteError:
    """An error raised by (or because of) the attempt, as data."""

    kind: ErrorKind
    type: str
    message: str
    mro: list[str] = field(default_factory=list)
    frames: list[list[Any]] = field(default_factory=list)

    def is_a(self, name: str) -> bool:
        return name in self.mro or name == self.type

    @classmethod
    def from_wire(cls, data: Any) -> RemoteError:
        if not isinstance(data, dict):
            return cls(ErrorKind.PROTOCOL, "ProtocolError", "malformed error report")
        frames = data.get("frames") or []
        clean = []
        for f in frames if isinstance(frames, list) else []:
            if isinstance(f, list) and len(f) >= 3:
                clean.append([str(f[0]), _int(f[1]), str(f[2]),
                              opt_int(f[3]) if len(f) > 3 else None,
                              opt_int(f[4]) if len(f) > 4 else None])
        mro = data.get("mro") if isinstance(data.get("mro"), list) else []
        try:
            kind = ErrorKind(str(data.get("kind", "exception")))
        except ValueError:
            kind = ErrorKind.PROTOCOL
        return cls(
            kind=kind,
            type=str(data.get("type", "Exception"))[:200],
            message=str(data.get("message", ""))[:4000],
            mro=[str(m)[:200] for m in mro][:64],
            frames=clean,
        )


def _int(v: Any) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


def opt_int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


@dataclass
class CallOutcome:
    ok: bool
    value: Any = None
    grads: Any = None
    args_after: Any = None
    error: RemoteError | None = None
    output: str = ""
    seconds: float = 0.0
    peak_memory_bytes: int | None = None


@dataclass(frozen=True)
class Policy:
    """What one sandbox session may do, and what it is given."""

    attempt_name: str
    hidden_roots: tuple[str, ...]
    forbidden: tuple[str, ...] = ()
    call_seconds: float = 10.0
    memory_mb: int = 2048
    output_kb: int = 64
    cpu_seconds: float = 60.0
    kernel_layers: bool = True  # Landlock and seccomp; False only to measure their cost


class Budget:
    """The submission's total wall-time allowance, shared by all of its sessions."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def exhausted(self, before: str = "") -> RemoteError:
        return RemoteError(ErrorKind.BUDGET, "Timeout", "the submission's total time limit "
                           f"({self.seconds:g} s) ran out{before}")
