"""What an attempt returned, compared by kind with what the reference returns for the same call.

A forgotten `return` (None), a numpy array, a bare tensor where a pair was due, a
tuple of the wrong length: these are the learner's failures, named in words, whatever
a hidden test then did with the value.
"""

from __future__ import annotations

from typing import Any

import torch


def structure(value: Any) -> Any:
    """The kind of a value, recursively: what must match, whatever the numbers."""
    if isinstance(value, torch.Tensor):
        return "tensor"
    if type(value).__module__.startswith("numpy") and hasattr(value, "shape"):
        return "ndarray"
    if isinstance(value, (tuple, list)):  # both are accepted wherever a sequence is due
        if all(structure(v) == "number" for v in value):  # empty too
            return "numbers"  # data (generated ids, positions): its length is not its kind
        return ("sequence", tuple(structure(v) for v in value))
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def describe(value: Any) -> str:
    """A value as a learner would say it: 'a numpy array float32[4, 5]', 'None'."""
    if value is None:
        return "None"
    if isinstance(value, torch.Tensor):
        return f"a tensor {str(value.dtype).removeprefix('torch.')}[{_dims(value.shape)}]"
    if type(value).__module__.startswith("numpy") and hasattr(value, "shape"):
        return f"a numpy array {value.dtype}[{_dims(value.shape)}]"
    if isinstance(value, (tuple, list)):
        inner = ", ".join(describe(v) for v in value[:4]) + (", ..." if len(value) > 4 else "")
        return f"a {type(value).__name__} of {len(value)} values ({inner})"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def wrong_return(function: str, got: Any, expected: Any) -> str | None:
    """Why `got` is not the kind of value `expected` is, or None if the kinds agree."""
    if structure(got) == structure(expected):
        return None
    if got is None:
        return (f"your function {function}() returned None; did you forget `return`? "
                "(A function without a return statement returns None.)")
    advice = ""
    if structure(got) == "ndarray" or "ndarray" in str(structure(got)):
        advice = " Keep torch tensors: no .numpy() or .tolist() on the way out."
    return (f"your function {function}() returned {describe(got)}; it should return "
            f"{describe(expected)}.{advice}")


def _dims(shape: Any) -> str:
    return ", ".join(str(s) for s in shape)
