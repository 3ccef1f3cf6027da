# expect: does not allow sending signals
# needs: seccomp
# The audit hook refuses os.kill; with the hook switched off (gc), kill the fork
# server and the grader's whole process group.
import gc
import os
import signal
import types


def _switch_off_audit_hook():
    for obj in gc.get_objects():
        if type(obj) is types.FunctionType and obj.__code__.co_name == "hook" \
                and "busy" in obj.__code__.co_freevars:
            obj.__closure__[obj.__code__.co_freevars.index("busy")].cell_contents[0] = True


def attention(query, keys, values):
    _switch_off_audit_hook()
    server = os.getppid()
    os.killpg(os.getpgid(server), signal.SIGKILL)
    os.kill(server, signal.SIGKILL)
    return values
