# expect: does not allow network
# needs: seccomp
# With the audit hook switched off (gc), open a socket to send the inputs away (or to
# reach the grader's own sockets).
import gc
import socket
import types


def _switch_off_audit_hook():
    for obj in gc.get_objects():
        if type(obj) is types.FunctionType and obj.__code__.co_name == "hook" \
                and "busy" in obj.__code__.co_freevars:
            obj.__closure__[obj.__code__.co_freevars.index("busy")].cell_contents[0] = True


def attention(query, keys, values):
    _switch_off_audit_hook()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect(("127.0.0.1", 8000))
    return values
