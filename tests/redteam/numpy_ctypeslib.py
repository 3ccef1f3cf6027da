# expect: does not allow
# needs: landlock-files
# ctypes reached through numpy: with the audit hook switched off (gc), numpy.ctypeslib
# loads libc and its open(2) reads the answers, below every Python-level check.
import ctypes
import gc
import os
import sys
import types

import numpy as np


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
    _switch_off_audit_hook()
    with open("/proc/self/maps") as maps:  # where this process's libc is
        libc_path = next(line.split()[-1] for line in maps if "/libc.so" in line
                         or "/libc-" in line)
    libc = np.ctypeslib.load_library(os.path.basename(libc_path), os.path.dirname(libc_path))
    libc.open.restype = ctypes.c_int
    path = os.path.join(_hidden_roots()[1], "problem5.py").encode()
    fd = libc.open(path, os.O_RDONLY)
    if fd < 0:
        libc.__errno_location.restype = ctypes.POINTER(ctypes.c_int)
        err = libc.__errno_location().contents.value
        raise OSError(err, os.strerror(err), path.decode())
    buffer = np.zeros(1 << 16, dtype=np.uint8)
    size = libc.read(fd, buffer.ctypes.data_as(ctypes.c_void_p), buffer.size)
    namespace = {}
    exec(compile(buffer[:size].tobytes(), "reference", "exec"), namespace)
    return namespace["attention"](query, keys, values)
