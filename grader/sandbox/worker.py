"""The sandbox child: limits itself, imports the attempt, then serves calls.

Runs only in a process forked from the warm server (`zygote.py`). It never sees
hidden tests, reference solutions or expected outputs: it receives inputs, calls
the attempt, and sends back what the attempt returned, as plain data.
"""

from __future__ import annotations

import builtins
import importlib.util
import io
import os
import signal
import socket
import sys
import time
import traceback
from typing import Any

from attn_practice.grader.sandbox import confine, guard, protocol
from attn_practice.grader.sandbox.forbid import ForbiddenCall, forbid_calls
from attn_practice.grader.sandbox.memory import PeakMemory
from attn_practice.grader.sandbox.wire import ErrorKind, error_reply

ATTEMPT_MODULE = "attempt"
MAX_MESSAGE = 4000


def child_main(chan_fd: int, out_fd: int, request: dict[str, Any]) -> None:
    """Entry point after fork. Never returns: the process ends with os._exit."""
    code = 0
    try:
        os.setsid()
        _die_with_parent()
        request["network_namespace"] = guard.isolate_network()  # while still single-threaded
        _isolate_fds(chan_fd, out_fd)
        chan = socket.socket(fileno=chan_fd)
        _serve(chan, request)
    except BaseException:  # noqa: BLE001 - the child must never return into the server loop
        code = 70
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:  # noqa: BLE001
            pass
        os._exit(code)


def _die_with_parent() -> None:
    guard.die_with_parent()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)


def _isolate_fds(chan_fd: int, out_fd: int) -> None:
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    keep = {0, 1, 2, chan_fd}
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), line_buffering=True,
                                  errors="backslashreplace")
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), line_buffering=True,
                                  errors="backslashreplace")


def _serve(chan: socket.socket, request: dict[str, Any]) -> None:
    import torch

    sandbox_dir = request["sandbox_dir"]
    attempt_path = os.path.join(sandbox_dir, request["attempt_name"])
    os.chdir(sandbox_dir)
    os.environ.update(HOME=sandbox_dir, TMPDIR=sandbox_dir, TORCH_HOME=sandbox_dir)
    torch.set_num_threads(1)
    torch.manual_seed(0)
    limits = request["limits"]
    guard.apply_rlimits(limits["memory_mb"], limits["cpu_seconds"], limits["output_kb"])
    memory = PeakMemory()  # opened before the audit hook, which would refuse it
    guard.sanitize_sys_path(sandbox_dir, request["hidden_roots"])
    forbid_calls(request.get("forbidden", []), attempt_path)
    # --- the kernel layers: Landlock, capabilities, seccomp (irreversible; before the
    # audit hook, which would refuse their ctypes calls, and before the attempt runs)
    layers = _kernel_layers(sandbox_dir, request)
    # ---
    guard.install_audit_hook(sandbox_dir, request["hidden_roots"], ATTEMPT_MODULE)

    started = time.perf_counter()
    builtins_before = dict(builtins.__dict__)
    try:
        module = _import_attempt(attempt_path)
    except BaseException as exc:  # noqa: BLE001 - report any import failure as data
        _restore_builtins(builtins_before)
        _send(chan, {"ready": False, "error": describe_exception(exc)["error"]})
        return
    _restore_builtins(builtins_before)
    names = sorted(n for n in dir(module) if callable(getattr(module, n, None)))
    _send(chan, {"ready": True, "functions": names, "layers": layers,
                 "seconds": time.perf_counter() - started})
    while True:
        frame = _recv(chan)
        if frame is None:
            return
        header, buffers = frame
        if header.get("op") == "call":
            reply = _call(module, header, buffers, memory)
            _restore_builtins(builtins_before)  # the attempt may not change how we work
            _send_reply(chan, reply)
        else:
            _send(chan, error_reply(ErrorKind.PROTOCOL, "ProtocolError", "unknown request"))


def _kernel_layers(sandbox_dir: str, request: dict[str, Any]) -> list[dict[str, Any]]:
    """Apply the kernel layers; report every layer of the sandbox (for `doctor`)."""
    if request.get("kernel_layers", True):
        layers = confine.apply(sandbox_dir, list(request["hidden_roots"]))
    else:
        layers = [confine.layer(name, False, "switched off by the caller (benchmark)")
                  for name in confine.KERNEL_LAYERS]
    netns = bool(request.get("network_namespace"))
    layers.append(confine.layer("network-namespace", netns, "an empty network namespace"
                                if netns else "the kernel refused a new network namespace "
                                "(unprivileged user namespaces are off)"))
    for name, detail in (("rlimits", "memory, CPU time, file size, no core dumps"),
                         ("process-group", "the sandbox and all it starts are killed together"),
                         ("audit-hook", "clear messages for what the kernel layers refuse")):
        layers.append(confine.layer(name, True, detail))
    return layers


def _restore_builtins(saved: dict[str, Any]) -> None:
    """Undo any change the attempt made to builtins (isinstance = lambda *a: True, ...)."""
    current = builtins.__dict__
    for name in [n for n in current if n not in saved]:
        del current[name]
    for name, value in saved.items():
        if current.get(name) is not value:
            current[name] = value


def _import_attempt(path: str) -> Any:
    spec = importlib.util.spec_from_file_location(ATTEMPT_MODULE, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[ATTEMPT_MODULE] = module
    spec.loader.exec_module(module)
    return module


def _call(module: Any, header: dict[str, Any], buffers: list[bytes],
          memory: PeakMemory) -> tuple[dict, list]:
    import torch

    name = header.get("fn")
    fn = getattr(module, name, None) if isinstance(name, str) else None
    if not callable(fn):
        return error_reply(ErrorKind.MISSING_FUNCTION, "AttributeError",
                           f"your file defines no function named {name!r}"), []
    try:
        args = list(protocol.decode(header.get("args", []), buffers))
        kwargs = protocol.decode(header.get("kwargs", {"$dict": []}), buffers)
    except protocol.ProtocolError as exc:
        return error_reply(ErrorKind.PROTOCOL, "ProtocolError", str(exc)), []
    grad = header.get("grad")
    wrt: list[Any] = []
    if grad:
        for key in grad["wrt"]:
            container = args if isinstance(key, int) else kwargs
            container[key] = container[key].detach().clone().requires_grad_(True)
            wrt.append(container[key])
    measure = bool(header.get("measure_memory"))
    if measure:
        import gc

        gc.collect()
        baseline = memory.reset()
    started = time.perf_counter()
    try:
        result = fn(*args, **kwargs)
        elapsed = time.perf_counter() - started
        peak = memory.peak_extra(baseline) if measure else None
        grads = None
        if grad:
            grads = _backward(name, result, grad, buffers, wrt)
    except BaseException as exc:  # noqa: BLE001 - the attempt's error is data
        return describe_exception(exc), []
    finally:
        _flush()
    out_buffers: list[bytes] = []
    reply: dict[str, Any] = {"ok": True, "seconds": elapsed}
    if peak is not None:
        reply["peak_memory_bytes"] = peak
    try:
        reply["value"] = protocol.encode(result, out_buffers)
        if grads is not None:
            reply["grads"] = protocol.encode(grads, out_buffers)
        if header.get("echo_args"):
            reply["args_after"] = protocol.encode(
                {"args": args, "kwargs": kwargs}, out_buffers)
    except protocol.NotPlainData as exc:
        return error_reply(ErrorKind.NOT_PLAIN_DATA, "TypeError",
                           f"your function returned {exc}; return tensors, numbers, "
                           "lists or tuples"), []
    except MemoryError:
        return error_reply(ErrorKind.NOT_PLAIN_DATA, "MemoryError",
                           "the value your function returned is too large to send back "
                           "within the sandbox's memory limit"), []
    except BaseException as exc:  # noqa: BLE001 - e.g. a subclass whose methods raise
        return describe_exception(exc), []
    del torch
    return reply, out_buffers


class WrongReturn(TypeError):
    """The attempt returned something the call cannot use (None, a tensor for a tuple...)."""


def _backward(name: str, result: Any, grad: dict[str, Any], buffers: list[bytes],
              wrt: list[Any]) -> list:
    """Gradients of the output (the whole result, or value grad["output"] of it) with
    respect to the arguments `wrt`; WrongReturn, worded as grader/returns.py words it, when
    the result cannot carry them."""
    import torch

    index = grad.get("output")
    if result is None:
        raise WrongReturn(f"your function {name}() returned None; did you forget `return`? "
                          "(A function without a return statement returns None.)")
    if index is not None and not (isinstance(result, (tuple, list)) and len(result) > index):
        raise WrongReturn(f"your function {name}() returned {_type_name(result)}, but a tuple "
                          f"whose value {index} is the output was expected")
    out = result if index is None else result[index]
    if not isinstance(out, torch.Tensor):
        raise WrongReturn(f"your function {name}() returned {_type_name(out)} as its output; "
                          "gradients flow only through torch tensors (no .numpy(), .tolist() "
                          "or .item() on the way out)")
    if not out.requires_grad:
        raise RuntimeError(
            "the output does not depend on the inputs through autograd (was it detached, "
            "converted to numpy or a Python number, or built with torch.tensor(...)?)")
    cotangent = protocol.decode(grad["cotangent"], buffers)
    if tuple(out.shape) != tuple(cotangent.shape):
        raise ValueError(f"your output has shape {tuple(out.shape)} but {tuple(cotangent.shape)} "
                         "was expected, so its gradients cannot be checked")
    # the VJP as a scalar: grad_outputs= would make torch import sympy (seconds)
    loss = (out * cotangent.to(out.dtype)).sum()
    grads = torch.autograd.grad(loss, wrt, allow_unused=True)
    return [None if g is None else g.detach() for g in grads]


def describe_exception(exc: BaseException) -> dict[str, Any]:
    """An exception raised by the attempt, as an error reply."""
    kind = ErrorKind.EXCEPTION
    if isinstance(exc, WrongReturn):
        kind = ErrorKind.WRONG_RETURN
    elif isinstance(exc, ForbiddenCall):
        kind = ErrorKind.FORBIDDEN
    elif isinstance(exc, guard.SandboxViolation):
        kind = ErrorKind.VIOLATION
    elif isinstance(exc, SystemExit):
        kind = ErrorKind.EXIT
    try:
        message = str(exc)[:MAX_MESSAGE]
    except BaseException:  # noqa: BLE001
        message = "<the exception's message could not be shown>"
    if isinstance(exc, MemoryError) and not message:
        message = "ran out of memory (the sandbox limits how much an attempt may allocate)"
    frames = []
    for fs in traceback.extract_tb(exc.__traceback__)[-50:]:
        frames.append([fs.filename, fs.lineno or 0, fs.name, fs.colno, fs.end_colno])
    try:  # a refusal by the kernel (Landlock, seccomp) gets the sandbox's reason
        line = next((f.line or "" for f in reversed(traceback.extract_tb(exc.__traceback__))
                     if os.path.basename(f.filename) == ATTEMPT_MODULE + ".py"), "")
        message = confine.explain(exc, message, line)[:MAX_MESSAGE]
    except BaseException:  # noqa: BLE001
        pass
    if isinstance(exc, SyntaxError):
        frames.append([exc.filename or "", exc.lineno or 0, "<module>", exc.offset, None])
    mro = [c.__name__ for c in type(exc).__mro__]
    return error_reply(kind, type(exc).__name__, message, mro=mro, frames=frames)


# --- framing over the channel ----------------------------------------------------


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001 - the attempt may have replaced or closed it
            pass


def _send(chan: socket.socket, header: dict[str, Any], buffers: list[bytes] = ()) -> None:
    _flush()
    for chunk in protocol.pack(header, list(buffers)):
        chan.sendall(chunk)


def _send_reply(chan: socket.socket, reply: tuple[dict, list]) -> None:
    _send(chan, reply[0], reply[1])


def _recv_exact(chan: socket.socket, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = chan.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def _recv(chan: socket.socket) -> tuple[dict[str, Any], list[bytes]] | None:
    prefix = _recv_exact(chan, 8)
    if prefix is None:
        return None
    head_len, count = protocol.parse_prefix(prefix)
    sizes = protocol.parse_sizes(_recv_exact(chan, 8 * count) or b"", count) if count else []
    header = protocol.parse_header(_recv_exact(chan, head_len) or b"")
    buffers = [_recv_exact(chan, s) or b"" for s in sizes]
    return header, buffers


def _type_name(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} values"
    if type(value).__module__.startswith("numpy"):
        return "a numpy array" if hasattr(value, "shape") else "a numpy number"
    return "None" if value is None else f"a {type(value).__name__}"
