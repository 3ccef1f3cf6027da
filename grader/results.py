"""Results as data: what a submission produced, before anything is rendered.

Renderers (grader/render/) turn these into Rich panels, plain text, JSON in the
Exercism test-runner v3 shape, or JUnit XML. Nothing here imports torch.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from attn_practice.grader.catalog import Kind

RESULTS_VERSION = 3  # the Exercism test-runner results format we extend


class Status(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"


class FailureKind(str, Enum):
    """Why one check failed, so renderers and the diagnosis can treat each kind right."""

    MISMATCH = "mismatch"  # values differ beyond tolerance
    SHAPE = "shape"
    DTYPE = "dtype"
    TYPE = "type"  # not a tensor / wrong container
    NOT_FINITE = "not_finite"
    RAISED = "raised"  # the attempt raised an exception it should not have
    WRONG_EXCEPTION = "wrong_exception"
    DID_NOT_RAISE = "did_not_raise"
    MODIFIED_INPUT = "modified_input"
    GRADIENT = "gradient"
    TIMEOUT = "timeout"
    CRASH = "crash"
    FORBIDDEN = "forbidden"
    VIOLATION = "violation"
    OTHER = "other"


@dataclass
class TensorSummary:
    """How an input or output looked: enough to reproduce or recognise it."""

    kind: str  # tensor | ndarray | scalar | none | sequence | other
    dtype: str | None = None
    shape: list[int] | None = None
    values: Any = None  # nested lists for small tensors, else None
    text: str | None = None  # for scalars and other values

    def describe(self) -> str:
        if self.kind in ("tensor", "ndarray"):
            shape = ", ".join(str(s) for s in (self.shape or []))
            return f"{self.dtype}[{shape}]"
        return self.text or self.kind


@dataclass
class CallSummary:
    """One forwarded call: the function and its inputs."""

    function: str
    args: list[tuple[str, TensorSummary]]

    def signature(self) -> str:
        inner = ", ".join(f"{k}={v.describe()}" if k else v.describe() for k, v in self.args)
        return f"{self.function}({inner})"


@dataclass
class Comparison:
    """Expected against actual: shape and dtype first, then the numbers."""

    what: str  # "output", "weights", "gradient of query", ...
    expected_shape: list[int] | None = None
    actual_shape: list[int] | None = None
    expected_dtype: str | None = None
    actual_dtype: str | None = None
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    worst_index: list[int] | None = None
    expected_at_worst: float | None = None
    actual_at_worst: float | None = None
    mismatched: int | None = None
    total: int | None = None
    rtol: float | None = None
    atol: float | None = None
    actual_nan: int = 0
    actual_inf: int = 0
    expected_values: Any = None  # small tensors only
    actual_values: Any = None
    # attention weights of at most 16 x 16: one matrix of each, shown as shaded grids
    grid_expected: Any = None
    grid_actual: Any = None
    grid_at: list[int] | None = None  # the leading index of the matrix shown


@dataclass
class CodeFrame:
    """Lines of the learner's own file around one line, for tracebacks and syntax errors."""

    path: str
    line: int
    column: int | None
    end_column: int | None
    lines: list[tuple[int, str]]
    function: str | None = None


@dataclass
class AttemptTraceback:
    type: str
    message: str
    frames: list[CodeFrame]  # the learner's own frames only, innermost last


@dataclass
class CheckResult:
    """One hidden check (one pytest test item)."""

    name: str  # stable id, e.g. "test_values[float64-m3-n5]"
    description: str  # what was checked, in words
    status: Status
    kind: FailureKind | None = None
    message: str = ""
    call: CallSummary | None = None
    comparison: Comparison | None = None
    also: list[Comparison] = field(default_factory=list)  # other wrong values of a tuple
    traceback: AttemptTraceback | None = None
    output: str = ""
    diagnosis: str | None = None  # id of a matching known mistake
    seconds: float = 0.0
    explanation: str = ""  # quizzes: shown after grading, right or wrong
    max_points: float = 1.0  # what this check is worth (problem.toml [points]; grader.points)

    @property
    def points(self) -> float:
        """The points earned: all of them for a pass, none otherwise."""
        return self.max_points if self.status is Status.PASS else 0.0


@dataclass
class Diagnosis:
    """A known mistake whose outputs match the attempt's."""

    mistake_id: str
    title: str
    explanation: str
    agreement: float  # fraction of recorded calls on which it matches the attempt
    matched: int
    compared: int


@dataclass
class Finding:
    """A kind of error a probe found where no known mistake matched (grader/probes)."""

    id: str  # "probe:softmax-axis"
    title: str
    explanation: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class Performance:
    """Time and peak memory against the reference on a larger input (grader/cost.py)."""

    time_ratio: float
    memory_ratio: float
    input: str  # the call's inputs, e.g. "float32[2, 8, 512, 64], ..."
    attempt_seconds: float
    reference_seconds: float
    attempt_peak_bytes: int
    reference_peak_bytes: int
    verdict: str


@dataclass
class Timing:
    total_seconds: float = 0.0
    sandbox_start_seconds: float = 0.0
    tests_seconds: float = 0.0
    diagnosis_seconds: float = 0.0
    probe_seconds: float = 0.0
    cost_seconds: float = 0.0


@dataclass
class SubmissionResult:
    problem_id: str
    status: Status
    message: str = ""  # for status error: why the attempt could not be graded
    checks: list[CheckResult] = field(default_factory=list)
    diagnosis: Diagnosis | None = None
    findings: list[Finding] = field(default_factory=list)  # probes, when no diagnosis
    performance: Performance | None = None  # cost against the reference, when measured
    cost_note: str = ""  # why the cost could not be measured, when it was tried
    error_frame: CodeFrame | None = None  # syntax error, forbidden call, import error
    error_traceback: AttemptTraceback | None = None
    load_output: str = ""
    attempt_path: str = ""
    attempt_sha256: str = ""
    timing: Timing = field(default_factory=Timing)
    next_step: str = ""
    kind: Kind = Kind.CODE
    # why an attempt could not be graded: encoding | syntax | forbidden | import | entry_point
    error_kind: str = ""
    # what the problem is worth (grader.points); None when no check ran and nobody asked
    possible_points: float | None = None

    @classmethod
    def new(cls, problem_id: str, attempt: Path, source: bytes,
            kind: Kind = Kind.CODE) -> SubmissionResult:
        """A result not graded yet (status error until a stage decides otherwise)."""
        return cls(problem_id, Status.ERROR, attempt_path=str(attempt),
                   attempt_sha256=hashlib.sha256(source).hexdigest(), kind=kind)

    @property
    def passed(self) -> int:
        return sum(1 for c in self.checks if c.status is Status.PASS)

    @property
    def total(self) -> int:
        return len(self.checks)

    @property
    def points(self) -> float:
        return round(sum(c.points for c in self.checks), 4)

    @property
    def max_points(self) -> float:
        if self.possible_points is not None:
            return self.possible_points
        return round(sum(c.max_points for c in self.checks), 4)

    @property
    def score(self) -> float:
        """The fraction of the points earned (with equal points: of the checks passed)."""
        most = sum(c.max_points for c in self.checks)
        return sum(c.points for c in self.checks) / most if most else 0.0

    @property
    def failing(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status is not Status.PASS]

    @property
    def common_failure(self) -> str | None:
        """The reason every failing check gives (its first line), when there are several and
        they all give the same one: a forgotten `return`, the stub's NotImplementedError."""
        reasons = {c.message.splitlines()[0].strip() if c.message else "" for c in self.failing}
        return reasons.pop() if len(self.failing) > 1 and len(reasons) == 1 and "" not in reasons \
            else None
