"""The kernel layers of a sandbox child, applied in one call, and what they did, as data.

`apply` runs in the child after the fork and before the attempt is imported
(worker.py calls it between the resource limits and the audit hook, which would
refuse the ctypes calls it makes). Each layer is irreversible for the process.
`explain` turns a refusal by the kernel (EACCES from Landlock, EPERM from seccomp)
into a sentence a learner understands.
"""

from __future__ import annotations

import errno
import re
from typing import Any

from attn_practice.grader.sandbox import landlock, seccomp

ACTIVE, MISSING = "active", "missing"
KERNEL_LAYERS = ("landlock-files", "landlock-network", "landlock-scopes", "capabilities",
                 "seccomp")


def layer(name: str, active: bool, detail: str) -> dict[str, Any]:
    return {"name": name, "state": ACTIVE if active else MISSING, "detail": detail}


def apply(sandbox_dir: str, hidden_roots: list[str]) -> list[dict[str, Any]]:
    """Landlock, then capabilities, no_new_privs and seccomp. Never raises."""
    fs = landlock.apply(sandbox_dir, hidden_roots)
    abi = f"ABI {fs.abi}" if fs.abi is not None else "no Landlock"
    layers = [
        layer("landlock-files", fs.active, fs.detail),
        layer("landlock-network", fs.active and fs.network,
              "no TCP bind or connect" if fs.active and fs.network
              else f"needs Landlock ABI 4 ({abi})" if fs.active else fs.detail),
        layer("landlock-scopes", fs.active and fs.scoped,
              "no signal or abstract UNIX socket to processes outside the sandbox"
              if fs.active and fs.scoped
              else f"needs Landlock ABI 6 ({abi})" if fs.active else fs.detail),
    ]
    sc = seccomp.apply()
    layers.append(layer("capabilities", sc.capabilities_dropped,
                        sc.capabilities_detail or sc.detail))
    layers.append(layer("seccomp", sc.active, sc.detail))
    return layers


_PROCESS_WORDS = re.compile(r"fork|spawn|system\(|exec|popen|subprocess|Process\(|clone")
_SOCKET_WORDS = re.compile(r"socket|connect|bind\(|urlopen|http|request")
_NATIVE_OPEN = re.compile(r"cannot be opened|unable to open file")  # torch.save, torch.from_file
_FILE_DENIAL = ("the sandbox does not allow reading or writing files outside its own folder: "
                "only Python, its libraries and the attempt's folder are visible")


def explain(exc: BaseException, message: str, source_line: str = "") -> str:
    """The message of an exception, with the sandbox's reason when the kernel refused."""
    code = getattr(exc, "errno", None)
    text = message.lower()
    if code == errno.EACCES or "permission denied" in text or _NATIVE_OPEN.search(text):
        return f"{message} ({_FILE_DENIAL})"
    if code == errno.EPERM or "operation not permitted" in text:
        hint = f"{source_line} {message}"
        if _PROCESS_WORDS.search(hint):
            what = "starting processes or programs"
        elif _SOCKET_WORDS.search(hint):
            what = "network connections or sockets"
        elif re.search(r"kill|signal", hint):
            what = "sending signals to other processes"
        else:
            what = ("this: it refuses starting processes, sockets, tracing or signalling "
                    "other processes, mounts and namespaces")
        return f"{message} (the sandbox does not allow {what})"
    if code == errno.ENOSYS and _PROCESS_WORDS.search(f"{source_line} {message}"):
        return f"{message} (the sandbox does not allow starting processes or programs)"
    return message
