# expect: does not allow
# needs: landlock-files
# Confuses the audit hook instead of removing it: the hook calls os.fspath() on the
# path it checks, and ignores every event while it is busy. An object whose
# __fspath__ does the forbidden work runs inside that blind spot.
import os
import sys

RESULT = {}


def _hidden_roots():
    frame = sys._getframe()
    while frame is not None:
        request = frame.f_locals.get("request")
        if isinstance(request, dict) and "hidden_roots" in request:
            return list(request["hidden_roots"])
        frame = frame.f_back
    return []


class Trojan:
    def __fspath__(self):
        if "error" not in RESULT:
            try:
                problems, solutions = _hidden_roots()
                with open(os.path.join(solutions, "problem5.py")) as fh:
                    RESULT["source"] = fh.read()
                with open("/tmp/attn-redteam-canary-fspath", "w") as fh:
                    fh.write("written from inside the audit hook\n")
            except OSError as err:
                RESULT["error"] = err
        return "harmless.txt"


def attention(query, keys, values):
    with open(Trojan(), "w"):
        pass
    if "error" in RESULT:
        raise RESULT["error"]
    namespace = {}
    exec(compile(RESULT["source"], "reference", "exec"), namespace)
    return namespace["attention"](query, keys, values)
