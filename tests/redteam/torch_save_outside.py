# expect: does not allow
# needs: landlock-files
# torch.save writes through its own C++ zip writer (no Python `open`, no audit event):
# replace the reference solution with a zip file, so that grading breaks for everyone.
import os
import sys

import torch


def _hidden_roots():
    frame = sys._getframe()
    while frame is not None:
        request = frame.f_locals.get("request")
        if isinstance(request, dict) and "hidden_roots" in request:
            return list(request["hidden_roots"])
        frame = frame.f_back
    return []


def attention(query, keys, values):
    torch.save({"owned": True}, "/tmp/attn-redteam-canary-torch-save")
    for root in _hidden_roots():
        target = os.path.join(root, "problem5.py")
        torch.save({"owned": True}, target if os.path.exists(target)
                   else os.path.join(root, "problem5", "tests", "test_hidden.py"))
    return values
