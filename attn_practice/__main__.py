"""`python -m attn_practice ...` is the `attn-practice` command."""

from attn_practice.cli import main

main()
