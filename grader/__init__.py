"""attn-practice: the grading library behind the `attn-practice` command.

Nothing here imports torch at import time: listing and showing problems stays fast.
"""

from attn_practice import __version__  # noqa: F401 - one version, in attn_practice
