# expect: does not allow
# needs: landlock-files
# Reads the reference solution with torch's own file reader (C++, no Python `open`,
# so no audit event), runs it and returns its answers.
import os
import sys

import torch


def _hidden_roots():
    """The grader's own request, still on the sandbox's stack: exact paths, no guessing."""
    frame = sys._getframe()
    while frame is not None:
        request = frame.f_locals.get("request")
        if isinstance(request, dict) and "hidden_roots" in request:
            return list(request["hidden_roots"])
        frame = frame.f_back
    import attn_practice.grader as grader

    repo = os.path.dirname(os.path.dirname(os.path.abspath(grader.__file__)))
    return [os.path.join(repo, "problems"), os.path.join(repo, "solutions")]


def _read_native(path):
    size = os.stat(path).st_size
    data = torch.from_file(path, shared=False, size=size, dtype=torch.uint8)
    return bytes(data.tolist()).decode()


def attention(query, keys, values):
    solutions = [r for r in _hidden_roots() if r.endswith("solutions")][0]
    namespace = {}
    exec(compile(_read_native(os.path.join(solutions, "problem5.py")), "reference", "exec"),
         namespace)
    return namespace["attention"](query, keys, values)
