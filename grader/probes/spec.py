"""What a problem declares about its entry point so that probes and the cost measurement can
use it: `[probes]` and `[cost]` in problem.toml. Arguments are named as in the reference's
signature; the attempt is always called with the recorded positions, so its own parameter
names do not matter."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from attn_practice.grader.errors import ProblemFormatError

_NAME_FIELDS = ("function", "q", "k", "v", "mask", "heads", "w_o", "causal_flag")


class ProbeSpec(NamedTuple):
    """problem.toml [probes]: which arguments the probes may vary, and how."""

    function: str  # the entry point probed
    q: str | None = None  # arguments whose dot product makes the scores (scale probe)
    k: str | None = None
    v: str | None = None  # values: replaced by an identity to read the weights off the output
    mask: str | None = None  # boolean mask, True = may attend
    heads: str | None = None  # the head count
    w_o: str | None = None  # output projection: an identity makes the output the heads side by side
    identity: tuple[str, ...] = ()  # projections set to an identity for the scale probe
    sequence: tuple[str, ...] = ()  # arguments [..., n, d] along whose axis -2 positions run
    causal: bool = False  # always causal ...
    causal_flag: str | None = None  # ... or when this boolean argument is true
    output: int | None = None  # which returned value is the output, when a tuple is returned
    weights: int | None = None  # which returned value is the attention weights, if any


class CostSpec(NamedTuple):
    """problem.toml [cost]: the larger call whose time and memory are measured."""

    function: str
    args: tuple[Any, ...]  # input specs: {randn = [shape]}, {tril = n}, numbers, strings
    kwargs: dict[str, Any]


def parse_probes(raw: Any, path: Path) -> ProbeSpec | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ProblemFormatError(path, "probes", "must be a table")
    known = set(ProbeSpec._fields)
    unknown = set(raw) - known
    if unknown:
        raise ProblemFormatError(path, "probes", f"unknown field(s): {', '.join(sorted(unknown))}")
    if not isinstance(raw.get("function"), str):
        raise ProblemFormatError(path, "probes.function", "names the entry point probed")
    for name in _NAME_FIELDS:
        if name in raw and not isinstance(raw[name], str):
            raise ProblemFormatError(path, f"probes.{name}", "must be an argument name")
    for name in ("identity", "sequence"):
        if not isinstance(raw.get(name, []), list) or not all(isinstance(a, str) for a in raw.get(name, [])):
            raise ProblemFormatError(path, f"probes.{name}", "must be a list of argument names")
    for name in ("output", "weights"):
        if name in raw and (not isinstance(raw[name], int) or isinstance(raw[name], bool)):
            raise ProblemFormatError(path, f"probes.{name}", "must be an index (0, 1...)")
    return ProbeSpec(**{**raw, "identity": tuple(raw.get("identity", ())),
                        "sequence": tuple(raw.get("sequence", ()))})


def parse_cost(raw: Any, path: Path) -> CostSpec | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("function"), str) or \
            not isinstance(raw.get("args", []), list) or not isinstance(raw.get("kwargs", {}), dict):
        raise ProblemFormatError(path, "cost", "needs function (a name), args (a list) and "
                                 "optionally kwargs (a table)")
    for value in [*raw.get("args", []), *raw.get("kwargs", {}).values()]:
        _check_input(value, path)
    return CostSpec(raw["function"], tuple(raw.get("args", [])), dict(raw.get("kwargs", {})))


def _check_input(value: Any, path: Path) -> None:
    if isinstance(value, dict):
        kinds = set(value) & {"randn", "tril", "ones", "arange", "full"}
        if len(kinds) != 1 or ("full" in value and "value" not in value):
            raise ProblemFormatError(path, "cost.args", f"unknown input {value}: use "
                                     "{randn = [shape]}, {tril = n}, {ones = [shape]}, "
                                     "{arange = n} or {full = [shape], value = x}")
