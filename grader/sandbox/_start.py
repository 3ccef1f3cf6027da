"""Script the trusted process runs (with `python -I`) to start the warm sandbox server."""

import os
import sys

# the folder that holds the attn_practice package: a source checkout (grader/ beside
# attn_practice/), or site-packages (attn_practice/grader/ in an installed wheel)
_up = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_root = _up if os.path.isfile(os.path.join(_up, "attn_practice", "__init__.py")) else \
    os.path.dirname(_up)
sys.path.insert(0, _root)

from attn_practice.grader.sandbox.zygote import main  # noqa: E402

main(int(sys.argv[1]))
