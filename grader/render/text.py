"""Plain-text descriptions of results, shared by every renderer."""

from __future__ import annotations

from attn_practice.grader.results import CheckResult, CodeFrame, Comparison, FailureKind

KIND_LABEL = {
    FailureKind.MISMATCH: "wrong values",
    FailureKind.SHAPE: "wrong shape",
    FailureKind.DTYPE: "wrong dtype",
    FailureKind.TYPE: "wrong type",
    FailureKind.NOT_FINITE: "NaN or Inf",
    FailureKind.RAISED: "raised an exception",
    FailureKind.WRONG_EXCEPTION: "wrong exception",
    FailureKind.DID_NOT_RAISE: "did not raise",
    FailureKind.MODIFIED_INPUT: "modified its input",
    FailureKind.GRADIENT: "wrong gradient",
    FailureKind.TIMEOUT: "too slow",
    FailureKind.CRASH: "crashed",
    FailureKind.FORBIDDEN: "forbidden call",
    FailureKind.VIOLATION: "not allowed in the sandbox",
    FailureKind.OTHER: "failed",
}


def fmt_num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}"


def fmt_apart(expected: float, actual: float | None) -> tuple[str, str]:
    """Two numbers with as many digits as it takes to see that they differ (up to 17): a
    float32 shortcut in a float64 call is invisible at four."""
    for digits in (4, 6, 9, 12, 17):
        exp = "-" if expected is None else f"{expected:.{digits}g}"
        act = "-" if actual is None else f"{actual:.{digits}g}"
        if exp != act:
            return exp, act
    return exp, act


def fmt_shape(shape: list[int] | None) -> str:
    return "-" if shape is None else "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def comparison_rows(comp: Comparison) -> list[tuple[str, str, str]]:
    """(what, expected, actual) rows: shape and dtype first, then the numbers."""
    rows = [("shape", fmt_shape(comp.expected_shape), fmt_shape(comp.actual_shape)),
            ("dtype", comp.expected_dtype or "-", comp.actual_dtype or "-")]
    if comp.worst_index is not None and comp.expected_at_worst is not None:
        idx = "[" + ", ".join(str(i) for i in comp.worst_index) + "]"
        rows.append((f"at {idx} (worst)", *fmt_apart(comp.expected_at_worst,
                                                      comp.actual_at_worst)))
    return rows


def comparison_summary(comp: Comparison) -> list[str]:
    """Each figure once: how many values are off, by how much, against what allowance."""
    lines = []
    if comp.mismatched and comp.total and comp.max_abs_error is not None:
        rel = "" if comp.max_rel_error is None else f", max rel error {fmt_num(comp.max_rel_error)}"
        lines.append(f"{comp.mismatched} of {comp.total} values outside the tolerance: max abs "
                     f"error {fmt_num(comp.max_abs_error)}{rel} (allowed: atol {fmt_num(comp.atol)}"
                     f" + rtol {fmt_num(comp.rtol)} x |expected|)")
    elif comp.mismatched and comp.total:
        lines.append(f"{comp.mismatched} of {comp.total} values differ")
    if comp.actual_nan or comp.actual_inf:
        lines.append(f"your {comp.what} contains {comp.actual_nan} NaN and {comp.actual_inf} Inf")
    return lines


def frame_lines(frame: CodeFrame) -> list[str]:
    head = f"{frame.path}, line {frame.line}" + (f", in {frame.function}" if frame.function else "")
    out = [head]
    width = len(str(frame.lines[-1][0])) if frame.lines else 1
    for number, text in frame.lines:
        marker = ">" if number == frame.line else " "
        out.append(f" {marker} {number:>{width}} | {text}")
        if number == frame.line and frame.column:
            span = max(1, (frame.end_column or frame.column + 1) - frame.column)
            out.append(" " * (6 + width + frame.column - 1) + "^" * span)
    return out


def check_text(check: CheckResult) -> str:
    """A check's failure as plain text (JUnit bodies, JSON messages)."""
    lines = [f"Checked: {check.description}"]
    if check.call:
        lines.append(f"Input: {check.call.signature()}")
    headline = check.message if check.comparison is None else "\n".join(
        line for line in check.message.splitlines()
        if not line.startswith(f"{check.comparison.what}:"))
    if headline:
        lines.append(f"Failed: {headline}")
    if check.comparison:
        for what, exp, act in comparison_rows(check.comparison):
            lines.append(f"  {what}: expected {exp}, got {act}")
        lines += ["  " + line for line in comparison_summary(check.comparison)]
    if check.traceback and check.traceback.frames:
        lines.append("Your code:")
        for frame in check.traceback.frames:
            lines += ["  " + line for line in frame_lines(frame)]
    return "\n".join(lines)
