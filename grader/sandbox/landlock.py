"""Landlock (Linux 5.13+): what a sandbox child may read and write, enforced by the kernel.

Called in the sandbox child after the fork and before the attempt is imported. The
ruleset handles every access right the kernel's ABI knows (up to ABI 7), so anything
not granted below is refused, whichever API asks (Python, torch's or numpy's native
code, ctypes):

- read (not execute) the Python installation, site-packages, the `grader` package, the
  system's shared libraries, a few device files, and /proc/self;
- read and write inside the sandbox folder (but make no device nodes there);
- ABI 4+: no TCP bind or connect; ABI 6+: no signal to, and no abstract UNIX socket
  of, any process outside the sandbox (the grader, the fork server).

A directory is never granted when it contains a hidden root (the problems folder,
`solutions/`): with an editable install the repository is on sys.path, and then
only its `grader/` and `attn_practice/` folders are readable. Installed from a wheel,
the answers live in site-packages/attn_practice/: site-packages is then granted entry
by entry around them. A few dozen lines over `ctypes` instead of a
binding: the structures are three integers wide and are checked against the
kernel's uapi header (include/uapi/linux/landlock.h).
"""

from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass

# Same numbers on every architecture (added after the syscall tables were unified).
_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1
_RESTRICT_SELF_LOG_SAME_EXEC_OFF = 1 << 0  # ABI 7: a hostile attempt must not flood audit logs
_PR_SET_NO_NEW_PRIVS = 38

# Filesystem access rights (LANDLOCK_ACCESS_FS_*), by the ABI that introduced them.
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER = 1 << 13       # ABI 2
TRUNCATE = 1 << 14    # ABI 3
IOCTL_DEV = 1 << 15   # ABI 5
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1                     # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1           # ABI 6
HIGHEST_KNOWN_ABI = 7

_FS_V1 = (1 << 13) - 1


def fs_rights(abi: int) -> int:
    """Every filesystem right the ABI can handle."""
    rights = _FS_V1
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    if abi >= 5:
        rights |= IOCTL_DEV
    return rights


def net_rights(abi: int) -> int:
    return NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0


def scopes(abi: int) -> int:
    return SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64),
                ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # __attribute__((packed)) in the uapi header: 12 bytes
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _ruleset_size(abi: int) -> int:
    """Older kernels reject fields they do not know: pass only the ABI's part."""
    return 24 if abi >= 6 else 16 if abi >= 4 else 8


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


@dataclass(frozen=True)
class Outcome:
    """What applying Landlock did in this process."""

    active: bool
    abi: int | None
    detail: str
    network: bool = False
    scoped: bool = False


def kernel_abi() -> tuple[int | None, str]:
    """The kernel's Landlock ABI version, or None and why there is none."""
    if not sys.platform.startswith("linux"):
        return None, f"Landlock is a Linux feature (this is {sys.platform})"
    try:
        libc = _libc()
        version = libc.syscall(ctypes.c_long(_SYS_CREATE_RULESET), None, ctypes.c_size_t(0),
                               ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except (OSError, AttributeError) as err:
        return None, f"cannot call the kernel ({err})"
    if version >= 1:
        return int(version), f"ABI {version}"
    err = ctypes.get_errno()
    if err == 38:  # ENOSYS
        return None, ("the kernel has no Landlock (Linux 5.13+ built with "
                      "CONFIG_SECURITY_LANDLOCK), or a container's seccomp profile hides it")
    if err == 95:  # EOPNOTSUPP
        return None, "Landlock is built in but not enabled (add landlock to the lsm= boot option)"
    return None, f"landlock_create_ruleset failed: {os.strerror(err)}"


@dataclass(frozen=True)
class Grants:
    """Paths and the rights granted beneath each (before masking by the ABI)."""

    read: tuple[str, ...]
    read_write: tuple[str, ...]
    devices_rw: tuple[str, ...]
    skipped: tuple[str, ...]  # candidates refused because they contain a hidden root


READ = READ_FILE | READ_DIR
_SYSTEM_LIBRARIES = ("/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib")
_SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/proc/cpuinfo", "/proc/meminfo",
                 "/sys/devices/system/cpu", "/dev/urandom", "/dev/random", "/dev/zero")
_DEVICES_RW = ("/dev/null",)


def plan(sandbox_dir: str, hidden_roots: list[str] | tuple[str, ...]) -> Grants:
    """Decide what to grant. Pure apart from looking at the filesystem: testable anywhere."""
    hidden = [os.path.realpath(h) for h in hidden_roots]

    def contains_hidden(path: str) -> bool:
        return any(_inside(h, path) or _inside(path, h) for h in hidden)

    import attn_practice.grader as grader

    package = os.path.dirname(os.path.realpath(grader.__file__))
    app = os.path.dirname(package)  # a source checkout, or the installed attn_practice package
    installed = os.path.isfile(os.path.join(app, "__init__.py"))
    candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    candidates += [p for p in sys.path if p and os.path.isdir(p)]
    candidates += [package, os.path.join(app, "attn_practice"), *_SYSTEM_LIBRARIES,
                   *_SYSTEM_FILES, "/proc/self"]

    def parts(path: str, depth: int = 0) -> tuple[list[str], list[str]]:
        """Readable pieces of path. Installed from a wheel, the answers sit inside
        site-packages/attn_practice: grant that folder's ancestors entry by entry, around
        the answers. A source checkout is never split (its .git holds the answers too)."""
        if not contains_hidden(path):
            return [path], []
        if not (installed and _inside(app, path)) or depth > 8 or not os.path.isdir(path):
            return [], [path]
        read: list[str] = []
        skipped: list[str] = []
        for entry in sorted(os.listdir(path)):  # by real path: lib64 -> lib is lib
            r, s = parts(os.path.realpath(os.path.join(path, entry)), depth + 1)
            read += r
            skipped += s
        return read, skipped

    read, skipped = [], []
    seen = set()
    for path in candidates:
        real = os.path.realpath(path)
        if real in seen or not os.path.exists(real) or _inside(real, sandbox_dir):
            continue
        seen.add(real)
        if path == "/proc/self":
            read.append(path)
            continue
        granted, refused = parts(real)
        read += [g for g in granted if g not in read]
        skipped += [r for r in refused if r not in skipped]
    return Grants(tuple(read), (os.path.realpath(sandbox_dir),), _DEVICES_RW, tuple(skipped))


def _inside(path: str, root: str) -> bool:
    root = root.rstrip(os.sep) or os.sep
    return path == root or path.startswith(root if root == os.sep else root + os.sep)


def apply(sandbox_dir: str, hidden_roots: list[str] | tuple[str, ...]) -> Outcome:
    """Restrict this process (and its future threads) for good. Never raises."""
    abi, why = kernel_abi()
    if abi is None:
        return Outcome(False, None, why)
    abi = min(abi, HIGHEST_KNOWN_ABI)
    try:
        grants = plan(sandbox_dir, hidden_roots)
    except Exception as err:  # noqa: BLE001 - a sandbox child must not die here
        return Outcome(False, abi, f"could not plan the rules: {err}")
    libc = _libc()
    handled = fs_rights(abi)
    attr = _RulesetAttr(handled, net_rights(abi), scopes(abi))
    ruleset = libc.syscall(ctypes.c_long(_SYS_CREATE_RULESET), ctypes.byref(attr),
                           ctypes.c_size_t(_ruleset_size(abi)), ctypes.c_uint32(0))
    if ruleset < 0:
        return Outcome(False, abi, f"landlock_create_ruleset: {os.strerror(ctypes.get_errno())}")
    try:
        sandbox_rights = handled & ~(MAKE_CHAR | MAKE_BLOCK | EXECUTE | IOCTL_DEV)
        device_rights = handled & (READ_FILE | WRITE_FILE | TRUNCATE | IOCTL_DEV)
        for paths, rights in ((grants.read, READ), (grants.read_write, sandbox_rights),
                              (grants.devices_rw, device_rights)):
            for path in paths:
                failure = _add_rule(libc, ruleset, path, rights)
                if failure and paths is grants.read_write:
                    return Outcome(False, abi, f"cannot grant the sandbox folder: {failure}")
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return Outcome(False, abi, f"no_new_privs: {os.strerror(ctypes.get_errno())}")
        flags = _RESTRICT_SELF_LOG_SAME_EXEC_OFF if abi >= 7 else 0
        if libc.syscall(ctypes.c_long(_SYS_RESTRICT_SELF), ctypes.c_int(ruleset),
                        ctypes.c_uint32(flags)) != 0:
            return Outcome(False, abi,
                           f"landlock_restrict_self: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(ruleset)
    return Outcome(True, abi, f"ABI {abi}: reads {len(grants.read)} trees (Python, "
                   "site-packages, grader/, system libraries), writes only the sandbox folder",
                   network=abi >= 4, scoped=abi >= 6)


def _add_rule(libc: ctypes.CDLL, ruleset: int, path: str, rights: int) -> str | None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError as err:
        return str(err)
    try:
        if not os.path.isdir(path):
            rights &= READ_FILE | WRITE_FILE | TRUNCATE | IOCTL_DEV | EXECUTE  # file rights only
        attr = _PathBeneathAttr(rights, fd)
        if libc.syscall(ctypes.c_long(_SYS_ADD_RULE), ctypes.c_int(ruleset),
                        ctypes.c_int(_RULE_PATH_BENEATH), ctypes.byref(attr),
                        ctypes.c_uint32(0)) != 0:
            return os.strerror(ctypes.get_errno())
    finally:
        os.close(fd)
    return None
