"""attn-practice: the grading library behind the `attn-practice` command.

Nothing here imports torch at import time: listing and showing problems stays fast.
"""

__version__ = "0.1.0"
