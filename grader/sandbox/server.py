"""The warm fork server, seen from the trusted process: one interpreter with torch imported.

`zygote.py` is its other half. The server never runs attempt code itself: each
session is a child it forks, which limits itself before importing the attempt.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from attn_practice.grader.errors import SandboxUnavailableError

_START_SCRIPT = Path(__file__).with_name("_start.py")


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


