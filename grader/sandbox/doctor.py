"""Which sandbox layers this machine enforces, and why any is missing: data, not pictures.

The truth comes from a child that confines itself with the sandbox's own code
(worker.py `_kernel_layers`) and reports each layer as it applied it; every real
sandbox child also sends the same list with its ready message (`Session.layers`).
The kernel's Landlock ABI and seccomp support are read in this process as well, so
that a report exists even when no child can start.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class State(str, Enum):
    ACTIVE = "active"
    MISSING = "missing"


# Every layer, in the order shown, with what it stops (README: "which layer stops what").
LAYERS: dict[str, tuple[str, str]] = {
    "landlock-files": ("Landlock: files",
                       "reading the answers, hidden tests and workspace, and writing outside "
                       "the sandbox folder, through any API (Python, native code, ctypes)"),
    "landlock-network": ("Landlock: network", "TCP connections and listening"),
    "landlock-scopes": ("Landlock: scopes",
                        "signals and abstract UNIX sockets aimed at the grader"),
    "capabilities": ("capabilities dropped", "root's privileges (raw devices, other users' "
                     "files, raising hard limits)"),
    "seccomp": ("seccomp filter", "starting programs or processes, sockets, ptrace, "
                "process_vm_*, mounts, namespaces, BPF, io_uring, keyrings, modules"),
    "network-namespace": ("network namespace", "any network traffic"),
    "rlimits": ("resource limits", "memory, CPU-time and file-size bombs, core dumps"),
    "process-group": ("process group", "processes left running after grading"),
    "audit-hook": ("audit hook", "nothing on its own: clear messages for the refusals above"),
}


@dataclass(frozen=True)
class Layer:
    name: str
    title: str
    state: State
    detail: str
    stops: str

    @property
    def active(self) -> bool:
        return self.state is State.ACTIVE


@dataclass(frozen=True)
class SandboxReport:
    platform: str
    kernel: str
    landlock_abi: int | None
    landlock_kernel: str
    seccomp_kernel: str
    layers: tuple[Layer, ...]
    probe_error: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def layer(self, name: str) -> Layer | None:
        return next((x for x in self.layers if x.name == name), None)

    @property
    def hides_answers(self) -> bool:
        """Whether the kernel keeps the answers from an attempt. Only Landlock does so today:
        there is no mount-namespace fallback (yet) for kernels without it."""
        layer = self.layer("landlock-files")
        return layer is not None and layer.active

    @property
    def missing(self) -> list[Layer]:
        return [x for x in self.layers if not x.active]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for item in data["layers"]:
            item["state"] = item["state"].value
        data["hides_answers"] = self.hides_answers
        return data


def make_layer(name: str, active: bool, detail: str) -> Layer:
    title, stops = LAYERS.get(name, (name, ""))
    return Layer(name, title, State.ACTIVE if active else State.MISSING, detail, stops)


def _kernel_facts() -> tuple[str, int | None, str, str]:
    from attn_practice.grader.sandbox import landlock, seccomp

    abi, why = landlock.kernel_abi()
    _, sc_why = seccomp.kernel_support()
    return platform.release(), abi, why, sc_why


def probe(hidden_roots: tuple[str, ...]) -> tuple[list[dict[str, Any]], str | None]:
    """Fork a child that confines itself exactly as a sandbox child does, and report.

    The child runs worker.py's own `_kernel_layers` (and the network namespace of
    `child_main`) in a fresh sandbox folder, then checks that a hidden root is really
    out of reach before it answers. No torch, no fork server: tens of milliseconds.
    """
    import json
    import select
    import shutil
    import signal
    import tempfile

    from attn_practice.grader.sandbox import guard, worker  # imported before the fork, never in the child

    if not hasattr(os, "fork"):
        return [], f"no fork() on {sys.platform}: the sandbox cannot start here"
    folder = tempfile.mkdtemp(prefix="attn-sandbox-probe-")
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 0
            try:
                os.close(read_end)
                layers = _confine_and_check(guard, worker, folder, hidden_roots)
                os.write(write_end, json.dumps(layers).encode())
            except BaseException:  # noqa: BLE001
                code = 70
            finally:
                os._exit(code)
        os.close(write_end)
        write_end = -1
        chunks, deadline = [], time.monotonic() + 20
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read_end], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)  # a probe that hangs reports nothing
                chunks = []
                break
            chunk = os.read(read_end, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        _, status = os.waitpid(pid, 0)
        if not chunks:
            return [], f"the probe child failed (wait status {status})"
        return json.loads(b"".join(chunks)), None
    except OSError as err:
        return [], f"cannot start a probe child: {err}"
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
        shutil.rmtree(folder, ignore_errors=True)


def _confine_and_check(guard: Any, worker: Any, folder: str,
                       hidden_roots: tuple[str, ...]) -> list[dict[str, Any]]:
    request = {"hidden_roots": list(hidden_roots),
               "network_namespace": guard.isolate_network()}
    layers = worker._kernel_layers(folder, request)
    for item in layers:
        if item["name"] == "landlock-files" and item["state"] == State.ACTIVE.value:
            for root in hidden_roots:
                try:
                    os.listdir(root)
                except PermissionError:
                    continue
                except OSError:
                    continue
                item.update(state=State.MISSING.value,
                            detail=f"applied, but {root} is still readable")
    return layers


def sandbox_report(hidden_roots: tuple[str, ...]) -> SandboxReport:
    """What a sandbox child on this machine enforces, layer by layer."""
    kernel, abi, ll_why, sc_why = _kernel_facts()
    reported, error = probe(hidden_roots)
    by_name = {x.get("name"): x for x in reported}
    layers = []
    for name in LAYERS:
        got = by_name.get(name)
        if got is not None:
            layers.append(make_layer(name, got.get("state") == "active", str(got.get("detail"))))
        else:
            why = {"landlock-files": ll_why, "seccomp": sc_why}.get(
                name, "no sandbox child could report it")
            layers.append(make_layer(name, False, why if error is None else f"{why}; {error}"))
    notes = []
    if getattr(os, "geteuid", lambda: -1)() == 0:
        notes.append("the grader runs as root: sandbox children keep uid 0 but drop every "
                     "capability; a dedicated user or a container adds a layer")
    return SandboxReport(f"{sys.platform} {platform.machine()}", kernel, abi, ll_why, sc_why,
                         tuple(layers), error, tuple(notes))
