"""Probes: name the mistakes nobody listed.

When no known mistake explains a failing attempt, the trusted side calls it again with
inputs chosen to expose one kind of error at a time (the softmax axis, the scale, causal
leakage, the mask convention, the layout of heads, precision, batches, in-place edits).
Every extra call goes through the sandbox and is recorded like a hidden test's call; the
reference runs here, in the trusted process. What a problem's entry point takes is
declared in problem.toml `[probes]` (grader/probes/spec.py).

`grader.probes.run` imports torch; `grader.probes.spec` does not, so the catalog stays light.
"""
