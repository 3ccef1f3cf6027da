"""Forbidden library calls, refused at run time when the attempt's own file makes them.

The static check (grader/static.py) catches plain uses; this catches disguised ones
(getattr with a built string, an alias through another module).
"""

from __future__ import annotations

import sys
from typing import Any


class ForbiddenCall(Exception):
    """Raised when the attempt calls a library function that does the problem's work."""


def forbid_calls(dotted_names: list[str], attempt_path: str) -> None:
    """Replace each forbidden function so that a call made from the attempt raises."""
    import functools

    for dotted in dotted_names:
        module_name, _, attr = dotted.rpartition(".")
        if not module_name:
            continue  # a bare module name (`functorch`): refused statically, on import
        owner = _resolve(module_name)
        original = getattr(owner, attr, None) if owner is not None else None
        if original is None:
            continue
        if isinstance(original, type):
            _forbid_class(original, dotted, attempt_path)
            continue

        def make(original: Any = original, dotted: str = dotted) -> Any:
            @functools.wraps(original)
            def forbidden(*args: Any, **kwargs: Any) -> Any:
                if sys._getframe(1).f_code.co_filename == attempt_path:
                    raise ForbiddenCall(f"{dotted} does this problem's work; it is not "
                                        "allowed here: write the computation yourself")
                return original(*args, **kwargs)
            return forbidden

        guarded = make()
        try:
            setattr(owner, attr, guarded)
        except (AttributeError, TypeError):
            pass
        # the same function where it is defined, if elsewhere: F.scaled_dot_product_attention
        # is torch._C._nn.scaled_dot_product_attention
        home = sys.modules.get(getattr(original, "__module__", None) or "")
        if home is not None and home is not owner and getattr(home, attr, None) is original:
            try:
                setattr(home, attr, guarded)
            except (AttributeError, TypeError):
                pass


def _forbid_class(cls: type, dotted: str, attempt_path: str) -> None:
    original_init = cls.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if sys._getframe(1).f_code.co_filename == attempt_path:
            raise ForbiddenCall(f"{dotted} does this problem's work; it is not allowed "
                                "here: write the computation yourself")
        original_init(self, *args, **kwargs)

    try:
        cls.__init__ = __init__
    except (AttributeError, TypeError):
        pass


def _resolve(dotted: str) -> Any:
    import importlib

    parts = dotted.split(".")
    obj: Any = None
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except (ImportError, ValueError):  # ValueError: an empty module name
            continue
        for part in parts[i:]:
            obj = getattr(obj, part, None)
        return obj
    return None
