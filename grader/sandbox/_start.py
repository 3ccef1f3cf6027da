"""Script the trusted process runs (with `python -I`) to start the warm sandbox server."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from grader.sandbox.zygote import main  # noqa: E402

main(int(sys.argv[1]))
