"""Limits applied inside the sandbox process before the attempt is imported.

Two layers: kernel resource limits (memory, CPU, file size, core dumps) and a
CPython audit hook that refuses what an attempt has no business doing (starting
processes, opening sockets, loading native code, reading the problem folders,
writing outside its temporary folder, touching the progress store). The audit
hook cannot be removed once installed, but Python code can switch it off or blind
it (its closure is reachable through gc and frames): it is there for clear
messages, not for safety. The boundary is the kernel's: Landlock and seccomp
(landlock.py, seccomp.py), applied by confine.py right before this hook.
"""

from __future__ import annotations

import os
import resource
import sys
from typing import Any

# Events refused outright: processes, native code, networking, signals, the store.
_DENIED_EVENTS = {
    "os.system": "starting a shell command",
    "os.exec": "replacing the process (os.exec*)",
    "os.fork": "forking a child process",
    "os.forkpty": "forking a child process",
    "os.posix_spawn": "spawning a child process",
    "os.spawn": "spawning a child process",
    "os.startfile": "starting a program",
    "subprocess.Popen": "starting a subprocess",
    "pty.spawn": "spawning a terminal",
    "os.kill": "sending signals to processes",
    "os.killpg": "sending signals to process groups",
    "signal.pthread_kill": "sending signals to threads",
    "ctypes.dlopen": "loading native libraries through ctypes",
    "ctypes.dlsym": "looking up native symbols through ctypes",
    "ctypes.cdata": "reading raw memory through ctypes",
    "ctypes.addressof": "reading raw memory through ctypes",
    "ctypes.call_function": "calling native functions through ctypes",
    "ctypes.string_at": "reading raw memory through ctypes",
    "ctypes.wstring_at": "reading raw memory through ctypes",
    "ctypes.PyObj_FromPtr": "reading raw memory through ctypes",
    "ctypes.dlopen/handle": "loading native libraries through ctypes",
    "os.setsid": "leaving the process group",
    "os.setpgid": "leaving the process group",
    "os.fork/exec": "forking a child process",
    "_posixsubprocess.fork_exec": "starting a subprocess",
    "mmap.__new__": "mapping files into memory",
    "webbrowser.open": "opening a browser",
    "urllib.Request": "network requests",
    "http.client.connect": "network connections",
    "ftplib.connect": "network connections",
    "smtplib.connect": "network connections",
    "telnetlib.Telnet.open": "network connections",
    "socket.__new__": "opening network sockets",
    "socket.connect": "network connections",
    "socket.bind": "binding network sockets",
    "socket.getaddrinfo": "looking up network addresses",
    "socket.gethostbyname": "looking up network addresses",
    "sqlite3.connect": "opening SQLite databases",
    "sqlite3.connect/handle": "opening SQLite databases",
    "sys.remote_exec": "attaching to other processes",
    "resource.setrlimit": "changing resource limits",
    "resource.prlimit": "changing resource limits",
    "os.setuid": "changing user",
    "os.chroot": "changing the root folder",
    "os.setns": "switching namespaces",
    "os.unshare": "switching namespaces",
}

# Events whose path argument must stay inside the sandbox's own folder.
_WRITE_EVENTS = {
    "os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown",
    "os.truncate", "os.link", "os.symlink", "os.utime", "os.chflags", "os.lchflags",
    "os.removexattr", "os.setxattr", "shutil.rmtree", "shutil.move", "shutil.copyfile",
    "shutil.copytree",
}
_LIST_EVENTS = {"os.listdir", "os.scandir", "glob.glob", "os.walk", "os.fwalk"}


class SandboxViolation(PermissionError):
    """Raised inside the sandbox when the attempt does something it may not."""


def die_with_parent() -> None:
    """Linux: get SIGKILL when the parent process dies, so nothing outlives the grader."""
    import signal

    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def isolate_network() -> bool:
    """Enter a new, empty network namespace (no interfaces up, not even loopback).

    Kernel-enforced: no connection can be made whatever the attempt does. Needs a
    single-threaded process (a freshly forked child is) and a kernel that allows it
    (unprivileged user namespaces); where it does not, the audit hook still refuses
    sockets, and this returns False.
    """
    import ctypes

    clone_newuser, clone_newnet = 0x10000000, 0x40000000
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if os.getuid() == 0 and libc.unshare(clone_newnet) == 0:
            return True
        uid, gid = os.getuid(), os.getgid()
        if libc.unshare(clone_newuser | clone_newnet) != 0:
            return False
        for path, text in (("/proc/self/setgroups", "deny"),
                           ("/proc/self/uid_map", f"{uid} {uid} 1"),
                           ("/proc/self/gid_map", f"{gid} {gid} 1")):
            try:
                with open(path, "w", encoding="ascii") as fh:
                    fh.write(text)
            except OSError:
                pass
        return True
    except (OSError, AttributeError):
        return False


def kill_group(pid: int) -> None:
    """SIGKILL a sandbox child and everything in its process group (it leads its own)."""
    import signal

    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def apply_rlimits(memory_mb: int, cpu_seconds: float, output_kb: int) -> None:
    """Memory is counted on top of what the warm interpreter already maps."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    vm_now = _vm_size_bytes()
    limit = vm_now + memory_mb * 2**20
    _try_setrlimit(resource.RLIMIT_AS, limit)
    cpu = int(cpu_seconds) + 5
    _try_setrlimit(resource.RLIMIT_CPU, cpu)
    _try_setrlimit(resource.RLIMIT_FSIZE, max(64 * 2**20, output_kb * 1024 * 4))
    _try_setrlimit(resource.RLIMIT_NPROC, 0 if os.getuid() != 0 else None)


def _try_setrlimit(which: int, soft: int | None) -> None:
    if soft is None:
        return
    try:
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(which, (soft, hard))
    except (ValueError, OSError):
        pass


def _vm_size_bytes() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 4 * 2**30


def install_audit_hook(sandbox_dir: str, hidden_roots: list[str], attempt_module: str) -> None:
    """Refuse processes, sockets, native code, hidden folders, and writes outside sandbox_dir."""
    home = os.path.realpath(sandbox_dir)
    hidden = tuple(os.path.realpath(r) for r in hidden_roots)
    denied = dict(_DENIED_EVENTS)
    write_events = frozenset(_WRITE_EVENTS)
    list_events = frozenset(_LIST_EVENTS)
    hidden_modules = ("solutions", "problems")
    realpath, fspath, isinstance_, str_, bytes_ = (
        os.path.realpath, os.fspath, isinstance, str, bytes)
    inside = _make_inside()
    busy = [False]

    def resolve(path: Any) -> str | None:
        if isinstance_(path, int):
            return None
        try:
            p = fspath(path)
            if isinstance_(p, bytes_):
                p = p.decode("utf-8", "surrogateescape")
            return realpath(p)
        except Exception:
            return None

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if busy[0]:
            return
        busy[0] = True
        try:
            _check(event, args)
        finally:
            busy[0] = False

    def _check(event: str, args: tuple[Any, ...]) -> None:
        if event in denied:
            raise SandboxViolation(f"the sandbox does not allow {denied[event]} ({event})")
        if event == "open":
            path = resolve(args[0])
            if path is None:
                return
            mode = args[1] if len(args) > 1 else "r"
            flags = args[2] if len(args) > 2 else 0
            writing = (isinstance_(mode, str_) and any(c in mode for c in "wax+")) or (
                isinstance_(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
            )
            if any(inside(path, h) for h in hidden):
                raise SandboxViolation(f"the sandbox does not allow reading {path}")
            if writing and not inside(path, home) and path != os.devnull:
                raise SandboxViolation(
                    f"the sandbox does not allow writing {path} (only inside {home})")
        elif event in write_events:
            for a in args[:2]:
                path = resolve(a)
                if path is not None and not inside(path, home):
                    raise SandboxViolation(f"the sandbox does not allow changing {path}")
        elif event in list_events:
            path = resolve(args[0]) if args and args[0] is not None else None
            if path is not None and any(inside(path, h) for h in hidden):
                raise SandboxViolation(f"the sandbox does not allow listing {path}")
        elif event == "import":
            name = args[0] if args else ""
            if isinstance_(name, str_) and name.split(".")[0] in hidden_modules:
                raise SandboxViolation(f"the sandbox does not allow importing {name}")

    sys.addaudithook(hook)


def _make_inside():
    sep = os.sep

    def inside(path: str, root: str) -> bool:
        return path == root or path.startswith(root.rstrip(sep) + sep)

    return inside


def sanitize_sys_path(sandbox_dir: str, hidden_roots: list[str]) -> None:
    """The attempt sees the standard library, site-packages and its own folder: nothing else."""
    repo_like = [os.path.realpath(os.path.dirname(r)) for r in hidden_roots]
    keep = []
    for entry in sys.path:
        real = os.path.realpath(entry or os.getcwd())
        if any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in repo_like):
            continue
        keep.append(entry)
    sys.path[:] = [sandbox_dir] + [e for e in keep if e not in ("", ".")]
    for name in list(sys.modules):
        if name.split(".")[0] in ("solutions", "problems", "tests"):
            del sys.modules[name]
