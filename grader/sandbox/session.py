"""Sessions: one sandbox child with the attempt imported, and the calls made into it.

Every call has a deadline (the per-call limit, cut to what is left of the
submission's budget); a call that overruns or kills the child ends the session,
and `Sandbox` opens a fresh one for the next call. The child's stdout and stderr
are read in the same loop as its replies, kept up to a cap, and attributed to
the call that printed.
"""

from __future__ import annotations

import os
import selectors
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

from attn_practice.grader.sandbox import protocol
from attn_practice.grader.sandbox.framing import FrameReader, OutputCap
from attn_practice.grader.sandbox.guard import kill_group
from attn_practice.grader.sandbox.server import ForkServer
from attn_practice.grader.sandbox.wire import Budget, CallOutcome, ErrorKind, Policy, RemoteError, opt_int


class Session:
    """One sandbox child with the attempt imported."""

    def __init__(self, server: ForkServer, source: bytes, policy: Policy, budget: Budget):
        self.server, self.source, self.policy, self.budget = server, source, policy, budget
        self.pid: int | None = None
        self.alive = False
        self.functions: list[str] = []
        self.load_error: RemoteError | None = None
        self.load_output = ""
        self.layers: list[dict[str, Any]] = []  # the sandbox's layers, as the child reports them
        self._dir: str | None = None
        self._chan: socket.socket | None = None
        self._out: int | None = None

    # -- lifecycle ----------------------------------------------------------------

    def open(self) -> bool:
        """Start the child and import the attempt. False (with load_error set) if that fails."""
        self._dir = tempfile.mkdtemp(prefix="attn-sandbox-")
        Path(self._dir, self.policy.attempt_name).write_bytes(self.source)
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        out_r, out_w = os.pipe()
        p = self.policy
        request = {
            "sandbox_dir": self._dir,
            "attempt_name": p.attempt_name,
            "hidden_roots": list(p.hidden_roots),
            "forbidden": list(p.forbidden),
            "kernel_layers": p.kernel_layers,
            "limits": {"memory_mb": p.memory_mb, "cpu_seconds": p.cpu_seconds,
                       "output_kb": p.output_kb},
        }
        try:
            self.pid = self.server.spawn(request, [child.fileno(), out_w])
        finally:
            child.close()
            os.close(out_w)
        self._chan, self._out = parent, out_r
        self.alive = True
        outcome = self._exchange(None, self._timeout())
        self.load_output = outcome.output
        if not outcome.ok:
            self.load_error = outcome.error
            self.close()
            return False
        header = outcome.value
        if not header.get("ready"):
            self.load_error = RemoteError.from_wire(header.get("error"))
            self.close()
            return False
        self.functions = [str(f) for f in header.get("functions", [])][:1000]
        self.layers = [x for x in header.get("layers", []) if isinstance(x, dict)][:32]
        return True

    def close(self) -> None:
        if self.pid is not None and self.alive:
            kill_group(self.pid)
            self.server.wait(self.pid, 2.0)
        self.alive = False
        for closer in (self._chan.close if self._chan else None,
                       (lambda: os.close(self._out)) if self._out is not None else None):
            if closer:
                try:
                    closer()
                except OSError:
                    pass
        self._chan, self._out = None, None
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def _timeout(self) -> float:
        return min(self.policy.call_seconds, self.budget.remaining())

    # -- calls ----------------------------------------------------------------------

    def call(self, fn: str, args: tuple, kwargs: dict, *, grad: dict | None = None,
             echo_args: bool = False, measure_memory: bool = False) -> CallOutcome:
        buffers: list[bytes] = []
        header: dict[str, Any] = {
            "op": "call", "fn": fn,
            "args": protocol.encode(list(args), buffers),
            "kwargs": protocol.encode(dict(kwargs), buffers),
            "echo_args": echo_args,
            "measure_memory": measure_memory,
        }
        if grad is not None:
            header["grad"] = {"wrt": grad["wrt"], "output": grad.get("output"),
                              "cotangent": protocol.encode(grad["cotangent"], buffers)}
        timeout = self._timeout()
        if timeout <= 0:
            self.close()
            return CallOutcome(False, error=self.budget.exhausted(" before this call"))
        outcome = self._exchange((header, buffers), timeout)
        if not outcome.ok:
            return outcome
        reply = outcome.value
        if not reply.get("ok"):
            return CallOutcome(False, error=RemoteError.from_wire(reply.get("error")),
                               output=outcome.output)
        return CallOutcome(True, value=reply.get("$value"), grads=reply.get("$grads"),
                           args_after=reply.get("$args_after"), output=outcome.output,
                           seconds=float(reply.get("seconds", 0.0) or 0.0),
                           peak_memory_bytes=opt_int(reply.get("peak_memory_bytes")))

    def _exchange(self, request: tuple[dict, list] | None, timeout: float) -> CallOutcome:
        """Send a request (if any) and wait for one reply, draining output meanwhile."""
        assert self._chan is not None and self._out is not None
        deadline = time.monotonic() + timeout
        output = OutputCap(self.policy.output_kb * 1024)
        try:
            if request is not None:
                self._chan.setblocking(True)
                self._chan.settimeout(max(0.01, deadline - time.monotonic()))
                for chunk in protocol.pack(*request):
                    self._chan.sendall(chunk)
            frame = self._read_frame(deadline, output)
        except TimeoutError:
            self.close()
            return CallOutcome(False, output=output.text(), error=RemoteError(
                ErrorKind.TIMEOUT, "Timeout",
                f"did not finish within {timeout:.3g} s "
                + ("(the per-call limit)" if timeout >= self.policy.call_seconds - 1e-6
                   else "(what was left of the submission's time limit)")))
        except (ConnectionError, EOFError, OSError):
            return CallOutcome(False, output=output.text(), error=self._crash_error())
        except protocol.ProtocolError as err:
            self.close()
            return CallOutcome(False, output=output.text(), error=RemoteError(
                ErrorKind.PROTOCOL, "ProtocolError", f"the sandbox sent a malformed reply: {err}"))
        header, buffers = frame
        try:
            for key in ("value", "grads", "args_after"):
                if key in header:
                    header["$" + key] = protocol.decode(header[key], buffers)
        except protocol.ProtocolError as err:
            self.close()
            return CallOutcome(False, output=output.text(), error=RemoteError(
                ErrorKind.PROTOCOL, "ProtocolError", f"the sandbox sent a malformed value: {err}"))
        return CallOutcome(True, value=header, output=output.text())

    def _crash_error(self) -> RemoteError:
        status = self.server.wait(self.pid, 1.0) if self.pid is not None else None
        self.close()
        if status and "signal" in status:
            name = status.get("signal_name", str(status["signal"]))
            why = {
                "SIGSEGV": "a segmentation fault",
                "SIGKILL": "being killed (often: too much memory)",
                "SIGXCPU": "using more CPU time than allowed",
                "SIGXFSZ": "writing a file larger than allowed",
                "SIGABRT": "an abort",
                "SIGSYS": "a system call the sandbox forbids",
            }.get(name, f"signal {name}")
            return RemoteError(ErrorKind.CRASH, "Crash", f"the sandbox process died from {why} ({name})")
        if status and status.get("exit_code") == 70:
            return RemoteError(ErrorKind.CRASH, "Crash", "the sandbox's own code failed after running "
                               "yours (did your code replace or break Python or torch "
                               "internals?)")
        if status and "exit_code" in status:
            return RemoteError(ErrorKind.CRASH, "Exit",
                               f"the sandbox process exited with code {status['exit_code']} "
                               "(did the code call os._exit or sys.exit?)")
        return RemoteError(ErrorKind.CRASH, "Crash", "the sandbox process stopped answering")

    def _read_frame(self, deadline: float, output: OutputCap) -> tuple[dict, list[bytes]]:
        reader = FrameReader()
        sel = selectors.DefaultSelector()
        assert self._chan is not None and self._out is not None
        self._chan.setblocking(False)
        sel.register(self._chan, selectors.EVENT_READ, "chan")
        sel.register(self._out, selectors.EVENT_READ, "out")
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                for key, _ in sel.select(left):
                    if key.data == "out":
                        chunk = os.read(self._out, 65536)
                        if chunk:
                            output.add(chunk)
                        else:
                            sel.unregister(self._out)
                        continue
                    try:
                        chunk = self._chan.recv(1 << 20)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        raise EOFError
                    frame = reader.feed(chunk)
                    if frame is not None:
                        self._drain(output)
                        return frame
        finally:
            sel.close()

    def _drain(self, output: OutputCap) -> None:
        """Read what the child printed before it replied (already in the pipe)."""
        assert self._out is not None
        os.set_blocking(self._out, False)
        try:
            while True:
                chunk = os.read(self._out, 65536)
                if not chunk:
                    break
                output.add(chunk)
        except BlockingIOError:
            pass
        finally:
            os.set_blocking(self._out, True)




class Sandbox:
    """Owns the current session for one submission; opens a fresh one after a crash."""

    def __init__(self, server: ForkServer, source: bytes, policy: Policy, budget: Budget):
        self.server, self.source, self.policy, self.budget = server, source, policy, budget
        self.session: Session | None = None
        self.sessions_opened = 0
        self.load_error: RemoteError | None = None
        self.load_output = ""

    def ensure(self) -> Session | None:
        """The live session, or a new one; None (with load_error set) if it cannot load."""
        if self.session is not None and self.session.alive:
            return self.session
        if self.budget.remaining() <= 0:
            self.load_error = self.budget.exhausted()
            return None
        session = Session(self.server, self.source, self.policy, self.budget)
        self.sessions_opened += 1
        if not session.open():
            self.load_error = session.load_error
            self.load_output = session.load_output
            return None
        if self.sessions_opened == 1:
            self.load_output = session.load_output
        self.session = session
        return session

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None
