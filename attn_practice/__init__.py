"""attn-practice: practise attention mechanisms for ML interviews, with feedback that teaches.

In a notebook:

    import attn_practice as ap
    ap.show(9)                                   # the statement, as Markdown
    ap.check(9, scaled_dot_product_attention)    # grade a function defined in the notebook
    ap.check(9)                                  # ... or find the entry points by name
    ap.hint(9)
    ap.progress()

Installed from a wheel, this package holds everything: the grader (`attn_practice.grader`),
the command line (`attn_practice.cli`), the problems and the reference solutions. In a
source checkout those sit beside this folder (grader/, cli.py, problems/, solutions/), and
the package reaches them from there.
"""

from __future__ import annotations

import os as _os

__version__ = "0.2.0"

_here = _os.path.dirname(_os.path.abspath(__file__))
_checkout = _os.path.dirname(_here)
if not _os.path.isdir(_os.path.join(_here, "grader")) and \
        _os.path.isfile(_os.path.join(_checkout, "grader", "engine.py")):
    __path__.append(_checkout)  # a source checkout: attn_practice.grader is ../grader

_NOTEBOOK = ("show", "check", "hint", "progress")


def __getattr__(name: str):
    """The notebook functions, imported on first use (so `import attn_practice` stays light)."""
    if name in _NOTEBOOK:
        from attn_practice.grader import notebook

        return getattr(notebook, name)
    raise AttributeError(f"module 'attn_practice' has no attribute {name!r}")


__all__ = [*_NOTEBOOK, "__version__"]
