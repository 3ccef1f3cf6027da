# expect: does not allow
# needs: landlock-files
# With the audit hook switched off (gc finds its closure), overwrite the reference
# solution so that it agrees with this attempt: everyone graded later is compared
# with a reference that returns zeros.
import gc
import os
import sys
import types

FAKE_REFERENCE = "import torch\n\ndef attention(query, keys, values):\n    return torch.zeros(0)\n"


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


def attention(query, keys, values):
    import torch

    _switch_off_audit_hook()
    solutions = _hidden_roots()[1]
    with open(os.path.join(solutions, "problem5.py"), "w") as fh:
        fh.write(FAKE_REFERENCE)
    return torch.zeros(0)
