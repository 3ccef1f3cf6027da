"""The trusted side of the sandbox: a warm fork server, and sessions that call the attempt.

A `Session` is one sandbox child with the attempt imported. Every call has a
deadline (the per-call limit, cut to what is left of the submission's budget);
a call that overruns or kills the child ends the session, and the caller opens a
fresh one for the next call. The child's stdout and stderr are read in the same
loop as its replies, kept up to a cap, and attributed to the call that printed.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.errors import SandboxUnavailableError
from grader.sandbox import protocol
from grader.sandbox.guard import kill_group

_START_SCRIPT = Path(__file__).with_name("_start.py")


@dataclass(frozen=True)
class Policy:
    """What one sandbox session may do, and what it is given."""

    attempt_name: str
    hidden_roots: tuple[str, ...]
    forbidden: tuple[str, ...] = ()
    call_seconds: float = 10.0
    memory_mb: int = 2048
    output_kb: int = 64
    cpu_seconds: float = 60.0
    kernel_layers: bool = True  # Landlock and seccomp; False only to measure their cost


@dataclass
class RemoteError:
    """An error raised by (or because of) the attempt, as data."""

    kind: str  # exception | timeout | crash | forbidden | violation | exit | not_plain_data
    #            | missing_function | budget | protocol
    type: str
    message: str
    mro: list[str] = field(default_factory=list)
    frames: list[list[Any]] = field(default_factory=list)

    def is_a(self, name: str) -> bool:
        return name in self.mro or name == self.type

    @classmethod
    def from_wire(cls, data: Any) -> RemoteError:
        if not isinstance(data, dict):
            return cls("protocol", "ProtocolError", "malformed error report")
        frames = data.get("frames") or []
        clean = []
        for f in frames if isinstance(frames, list) else []:
            if isinstance(f, list) and len(f) >= 3:
                clean.append([str(f[0]), _int(f[1]), str(f[2]), _opt_int(f[3:4]),
                              _opt_int(f[4:5])])
        mro = data.get("mro") if isinstance(data.get("mro"), list) else []
        return cls(
            kind=str(data.get("kind", "exception")),
            type=str(data.get("type", "Exception"))[:200],
            message=str(data.get("message", ""))[:4000],
            mro=[str(m)[:200] for m in mro][:64],
            frames=clean,
        )


def _int(v: Any) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


def _opt_int(seq: list[Any]) -> int | None:
    return seq[0] if seq and isinstance(seq[0], int) and not isinstance(seq[0], bool) else None


@dataclass
class CallOutcome:
    ok: bool
    value: Any = None
    grads: Any = None
    args_after: Any = None
    error: RemoteError | None = None
    output: str = ""
    seconds: float = 0.0
    peak_memory_bytes: int | None = None


class Budget:
    """The submission's total wall-time allowance, shared by all of its sessions."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())


class ForkServer:
    """One warm interpreter with torch imported, forking a child per session."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._ctrl: socket.socket | None = None
        self._lock = threading.Lock()
        self._ready = False
        self._stderr: Any = None

    def start(self) -> None:
        """Start the server without waiting for it (overlaps with the caller's own imports)."""
        if self._proc is not None:
            return
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._stderr = tempfile.TemporaryFile()
        env = {k: v for k, v in os.environ.items() if not k.startswith("ATTN_PRACTICE_")}
        # A fixed mmap threshold: glibc otherwise raises it after the first large free, and
        # large tensors then fragment the heap, so peak resident memory measures the
        # allocator instead of the attempt (problem17's memory check would flake).
        env["MALLOC_MMAP_THRESHOLD_"] = str(256 * 1024)
        self._proc = subprocess.Popen(
            [sys.executable, "-I", str(_START_SCRIPT), str(child.fileno())],
            pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=self._stderr, env=env,
        )
        child.close()
        self._ctrl = parent

    def _ensure_ready(self, timeout: float = 120.0) -> socket.socket:
        self.start()
        assert self._ctrl is not None
        if not self._ready:
            self._ctrl.settimeout(timeout)
            try:
                msg = self._ctrl.recv(1 << 16)
            except OSError as err:
                raise self._unavailable(f"no answer ({err})") from err
            if not msg:
                raise self._unavailable("it exited while starting")
            self._ready = True
            self._ctrl.settimeout(30)
        return self._ctrl

    def _unavailable(self, why: str) -> SandboxUnavailableError:
        detail = ""
        if self._stderr is not None:
            self._stderr.seek(0)
            detail = self._stderr.read()[-2000:].decode("utf-8", "replace").strip()
        self.close()
        return SandboxUnavailableError(
            f"The sandbox process could not start: {why}." + (f"\n{detail}" if detail else ""),
            hint="Check that torch imports in this environment: python -c 'import torch'.",
        )

    def spawn(self, request: dict[str, Any], fds: list[int]) -> int:
        with self._lock:
            ctrl = self._ensure_ready()
            try:
                socket.send_fds(ctrl, [json.dumps({"op": "spawn", **request}).encode()], fds)
                reply = ctrl.recv(1 << 16)
            except OSError as err:
                raise self._unavailable(f"lost contact ({err})") from err
            if not reply:
                raise self._unavailable("it exited")
            return int(json.loads(reply)["pid"])

    def wait(self, pid: int, timeout: float) -> dict[str, Any] | None:
        """Ask the server how its child ended (None if it is still running)."""
        with self._lock:
            if self._ctrl is None:
                return None
            try:
                self._ctrl.send(json.dumps({"op": "wait", "pid": pid, "timeout": timeout}).encode())
                reply = self._ctrl.recv(1 << 16)
            except OSError:
                return None
            return json.loads(reply).get("status") if reply else None

    def close(self) -> None:
        if self._ctrl is not None:
            self._ctrl.close()
            self._ctrl = None
        if self._proc is not None:
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        self._ready = False


_shared_server: ForkServer | None = None


def shared_server() -> ForkServer:
    """The process-wide fork server, started on first use."""
    global _shared_server
    if _shared_server is None:
        _shared_server = ForkServer()
    return _shared_server


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
            return CallOutcome(False, error=RemoteError(
                "budget", "Timeout", "the submission's total time limit "
                f"({self.budget.seconds:g} s) ran out before this call"))
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
                           peak_memory_bytes=_opt_int([reply.get("peak_memory_bytes")]))

    def _exchange(self, request: tuple[dict, list] | None, timeout: float) -> CallOutcome:
        """Send a request (if any) and wait for one reply, draining output meanwhile."""
        assert self._chan is not None and self._out is not None
        deadline = time.monotonic() + timeout
        output = _OutputCap(self.policy.output_kb * 1024)
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
                "timeout", "Timeout",
                f"did not finish within {timeout:.3g} s "
                + ("(the per-call limit)" if timeout >= self.policy.call_seconds - 1e-6
                   else "(what was left of the submission's time limit)")))
        except (ConnectionError, EOFError, OSError):
            return CallOutcome(False, output=output.text(), error=self._crash_error())
        except protocol.ProtocolError as err:
            self.close()
            return CallOutcome(False, output=output.text(), error=RemoteError(
                "protocol", "ProtocolError", f"the sandbox sent a malformed reply: {err}"))
        header, buffers = frame
        try:
            for key in ("value", "grads", "args_after"):
                if key in header:
                    header["$" + key] = protocol.decode(header[key], buffers)
        except protocol.ProtocolError as err:
            self.close()
            return CallOutcome(False, output=output.text(), error=RemoteError(
                "protocol", "ProtocolError", f"the sandbox sent a malformed value: {err}"))
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
            return RemoteError("crash", "Crash", f"the sandbox process died from {why} ({name})")
        if status and status.get("exit_code") == 70:
            return RemoteError("crash", "Crash", "the sandbox's own code failed after running "
                               "yours (did your code replace or break Python or torch "
                               "internals?)")
        if status and "exit_code" in status:
            return RemoteError("crash", "Exit",
                               f"the sandbox process exited with code {status['exit_code']} "
                               "(did the code call os._exit or sys.exit?)")
        return RemoteError("crash", "Crash", "the sandbox process stopped answering")

    def _read_frame(self, deadline: float, output: _OutputCap) -> tuple[dict, list[bytes]]:
        reader = _FrameReader()
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

    def _drain(self, output: _OutputCap) -> None:
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


class _FrameReader:
    """Incremental parser for one protocol frame."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.head_len: int | None = None
        self.sizes: list[int] = []

    def feed(self, chunk: bytes) -> tuple[dict, list[bytes]] | None:
        self.buf += chunk
        if self.head_len is None:
            if len(self.buf) < 8:
                return None
            self.head_len, count = protocol.parse_prefix(bytes(self.buf[:8]))
            self.count = count
        need_sizes = 8 + 8 * self.count
        if len(self.buf) < need_sizes:
            return None
        if not self.sizes and self.count:
            self.sizes = protocol.parse_sizes(bytes(self.buf[8:need_sizes]), self.count)
        total = need_sizes + self.head_len + sum(self.sizes)
        if len(self.buf) < total:
            return None
        header = protocol.parse_header(bytes(self.buf[need_sizes:need_sizes + self.head_len]))
        pos = need_sizes + self.head_len
        buffers = []
        for size in self.sizes:
            buffers.append(bytes(self.buf[pos:pos + size]))
            pos += size
        return header, buffers


class _OutputCap:
    def __init__(self, cap: int) -> None:
        self.cap, self.kept, self.dropped = cap, bytearray(), 0

    def add(self, chunk: bytes) -> None:
        room = self.cap - len(self.kept)
        self.kept += chunk[:max(room, 0)]
        self.dropped += max(0, len(chunk) - max(room, 0))

    def text(self) -> str:
        text = self.kept.decode("utf-8", "replace")
        if self.dropped:
            text += f"\n[... {self.dropped} more bytes of output not shown]"
        return text

