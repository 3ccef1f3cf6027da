"""seccomp: the system calls a sandbox child may never make, enforced by the kernel.

A classic BPF filter over `struct seccomp_data` (nr at offset 0, arch at 4, args at
16 + 8*i; little-endian, so an argument's low 32 bits are at 16 + 8*i), installed
with no_new_privs after the fork and before the attempt is imported. Refused calls
fail with EPERM, which Python raises as PermissionError and the worker turns into a
sentence for the learner; clone3 fails with ENOSYS so that libc falls back to clone,
whose flags the filter can read: a clone with CLONE_THREAD (a thread) is allowed,
any other (a new process) is not.

Refused: execve, new processes, new sockets, ptrace and process_vm_*, mounts and
namespaces, BPF, io_uring, keyrings, kernel modules and kexec, raising resource
limits, signals to other processes, opening files by handle, device nodes, and the
machine-wide calls a root-owned sandbox could otherwise make (clock, reboot, swap).
Before the filter, a root-owned child drops every capability. Both are irreversible.
Own code over `ctypes` rather than libseccomp: no system library to install, and the
whole policy is the table below. Syscall numbers: x86_64 from
arch/x86/entry/syscalls/syscall_64.tbl, aarch64 from include/uapi/asm-generic/unistd.h.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
from dataclasses import dataclass

# BPF opcodes (linux/filter.h, linux/bpf_common.h)
_LD_W_ABS = 0x20   # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15      # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35      # BPF_JMP | BPF_JGE | BPF_K
_JSET_K = 0x45     # BPF_JMP | BPF_JSET | BPF_K
_RET_K = 0x06      # BPF_RET | BPF_K

_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_RET_ALLOW = 0x7FFF0000

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2
_PR_CAPBSET_DROP = 24
_CLONE_THREAD = 0x00010000
_X32_SYSCALL_BIT = 0x40000000

_OFF_NR, _OFF_ARCH = 0, 4


def _arg_low(i: int) -> int:
    return 16 + 8 * i


def _arg_high(i: int) -> int:
    return 20 + 8 * i


@dataclass(frozen=True)
class Arch:
    audit_arch: int
    numbers: dict[str, int]
    x32_bit: bool = False


# What is refused, by reason (the reason names the group in the documentation only).
DENIED = {
    "starting programs": ("execve", "execveat", "uselib"),
    "new processes": ("fork", "vfork"),
    "sockets": ("socket", "socketpair"),
    "tracing other processes": ("ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
                                "pidfd_open", "pidfd_getfd", "pidfd_send_signal",
                                "process_madvise", "process_mrelease", "perf_event_open"),
    "mounts and namespaces": ("mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
                              "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount",
                              "fspick", "mount_setattr"),
    "BPF and io_uring": ("bpf", "userfaultfd", "io_uring_setup", "io_uring_enter",
                         "io_uring_register"),
    "keyrings": ("keyctl", "add_key", "request_key"),
    "kernel modules": ("init_module", "finit_module", "delete_module", "kexec_load",
                       "kexec_file_load"),
    "files by handle and device nodes": ("open_by_handle_at", "name_to_handle_at", "mknod",
                                         "mknodat", "fanotify_init"),
    "machine-wide settings": ("reboot", "swapon", "swapoff", "syslog", "acct", "quotactl",
                              "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
                              "sethostname", "setdomainname", "iopl", "ioperm", "vhangup",
                              "migrate_pages", "setrlimit"),
}

# Allowed only when argument `arg` (its low 32 bits) is 0 or this process's own pid
# (kill also takes -pid: its own process group, which it leads).
OWN_PID_ONLY = {"kill": 0, "tkill": 0, "tgkill": 0, "rt_sigqueueinfo": 0,
                "rt_tgsigqueueinfo": 0, "sched_setaffinity": 0, "sched_setscheduler": 0,
                "sched_setparam": 0, "sched_setattr": 0, "move_pages": 0}

_X86_64 = {
    "execve": 59, "execveat": 322, "uselib": 134, "fork": 57, "vfork": 58, "clone": 56,
    "clone3": 435, "socket": 41, "socketpair": 53, "ptrace": 101, "process_vm_readv": 310,
    "process_vm_writev": 311, "kcmp": 312, "pidfd_open": 434, "pidfd_getfd": 438,
    "pidfd_send_signal": 424, "process_madvise": 440, "process_mrelease": 448,
    "perf_event_open": 298, "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161,
    "unshare": 272, "setns": 308, "open_tree": 428, "move_mount": 429, "fsopen": 430,
    "fsconfig": 431, "fsmount": 432, "fspick": 433, "mount_setattr": 442, "bpf": 321,
    "userfaultfd": 323, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "keyctl": 250, "add_key": 248, "request_key": 249, "init_module": 175,
    "finit_module": 313, "delete_module": 176, "kexec_load": 246, "kexec_file_load": 320,
    "open_by_handle_at": 304, "name_to_handle_at": 303, "mknod": 133, "mknodat": 259,
    "fanotify_init": 300, "reboot": 169, "swapon": 167, "swapoff": 168, "syslog": 103,
    "acct": 163, "quotactl": 179, "settimeofday": 164, "clock_settime": 227,
    "clock_adjtime": 305, "adjtimex": 159, "sethostname": 170, "setdomainname": 171,
    "iopl": 172, "ioperm": 173, "vhangup": 153, "migrate_pages": 256, "setrlimit": 160,
    "prlimit64": 302, "kill": 62, "tkill": 200, "tgkill": 234, "rt_sigqueueinfo": 129,
    "rt_tgsigqueueinfo": 297, "sched_setaffinity": 203, "sched_setscheduler": 144,
    "sched_setparam": 142, "sched_setattr": 314, "move_pages": 279,
}

_AARCH64 = {  # asm-generic numbering: no fork, vfork, mknod, uselib, iopl, ioperm, setrlimit
    "execve": 221, "execveat": 281, "clone": 220, "clone3": 435, "socket": 198,
    "socketpair": 199, "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271,
    "kcmp": 272, "pidfd_open": 434, "pidfd_getfd": 438, "pidfd_send_signal": 424,
    "process_madvise": 440, "process_mrelease": 448, "perf_event_open": 241, "mount": 40,
    "umount2": 39, "pivot_root": 41, "chroot": 51, "unshare": 97, "setns": 268,
    "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432,
    "fspick": 433, "mount_setattr": 442, "bpf": 280, "userfaultfd": 282,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "keyctl": 219,
    "add_key": 217, "request_key": 218, "init_module": 105, "finit_module": 273,
    "delete_module": 106, "kexec_load": 104, "kexec_file_load": 294,
    "open_by_handle_at": 265, "name_to_handle_at": 264, "mknodat": 33, "fanotify_init": 262,
    "reboot": 142, "swapon": 224, "swapoff": 225, "syslog": 116, "acct": 89, "quotactl": 60,
    "settimeofday": 170, "clock_settime": 112, "clock_adjtime": 266, "adjtimex": 171,
    "sethostname": 161, "setdomainname": 162, "vhangup": 58, "migrate_pages": 238,
    "prlimit64": 261, "kill": 129, "tkill": 130, "tgkill": 131, "rt_sigqueueinfo": 138,
    "rt_tgsigqueueinfo": 240, "sched_setaffinity": 122, "sched_setscheduler": 119,
    "sched_setparam": 118, "sched_setattr": 274, "move_pages": 239,
}

ARCHES = {
    "x86_64": Arch(0xC000003E, _X86_64, x32_bit=True),   # AUDIT_ARCH_X86_64
    "aarch64": Arch(0xC00000B7, _AARCH64),              # AUDIT_ARCH_AARCH64
}
ARCHES["amd64"] = ARCHES["x86_64"]
ARCHES["arm64"] = ARCHES["aarch64"]


def _stmt(code: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, 0, 0, k & 0xFFFFFFFF)


def _jump(code: int, k: int, jt: int, jf: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k & 0xFFFFFFFF)


def _errno(value: int) -> bytes:
    return _stmt(_RET_K, _RET_ERRNO | value)


_ALLOW = _stmt(_RET_K, _RET_ALLOW)


def build_filter(arch: Arch, pid: int) -> list[bytes]:
    """The program, one 8-byte instruction per item. Every block returns, so jumps stay short."""
    n = arch.numbers
    prog = [
        _stmt(_LD_W_ABS, _OFF_ARCH),
        _jump(_JEQ_K, arch.audit_arch, 1, 0),
        _stmt(_RET_K, _RET_KILL_PROCESS),  # another ABI (i386 via int 0x80): no way around
        _stmt(_LD_W_ABS, _OFF_NR),
    ]
    if arch.x32_bit:
        prog += [_jump(_JGE_K, _X32_SYSCALL_BIT, 0, 1), _errno(errno.EPERM)]

    def block(nr: int, body: list[bytes]) -> None:
        prog.append(_jump(_JEQ_K, nr, 0, len(body)))
        prog.extend(body)
        # the accumulator may have changed inside body, but body always returns

    for names in DENIED.values():
        for name in names:
            if name in n:
                block(n[name], [_errno(errno.EPERM)])
    block(n["clone3"], [_errno(errno.ENOSYS)])  # libc falls back to clone, checked below
    block(n["clone"], [_stmt(_LD_W_ABS, _arg_low(0)), _jump(_JSET_K, _CLONE_THREAD, 0, 1),
                       _ALLOW, _errno(errno.EPERM)])
    # prlimit64(pid, resource, new, old): reading a limit is fine; setting one is not
    block(n["prlimit64"], [_stmt(_LD_W_ABS, _arg_low(2)), _jump(_JEQ_K, 0, 0, 2),
                           _stmt(_LD_W_ABS, _arg_high(2)), _jump(_JEQ_K, 0, 1, 0),
                           _errno(errno.EPERM), _stmt(_LD_W_ABS, _arg_low(0)),
                           _jump(_JEQ_K, 0, 2, 0), _jump(_JEQ_K, pid, 1, 0),
                           _errno(errno.EPERM), _ALLOW])
    for name, arg in OWN_PID_ONLY.items():
        body = [_stmt(_LD_W_ABS, _arg_low(arg)), _jump(_JEQ_K, 0, 3, 0),
                _jump(_JEQ_K, pid, 2, 0)]
        body += [_jump(_JEQ_K, -pid, 1, 0)] if name == "kill" else [_jump(_JEQ_K, pid, 1, 0)]
        body += [_errno(errno.EPERM), _ALLOW]
        block(n[name], body)
    prog.append(_ALLOW)
    return prog


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


@dataclass(frozen=True)
class Outcome:
    active: bool
    detail: str
    capabilities_dropped: bool = False
    capabilities_detail: str = ""


def current_arch() -> Arch | None:
    return ARCHES.get(platform.machine().lower())


def kernel_support() -> tuple[bool, str]:
    """Whether this kernel can filter system calls (without installing anything)."""
    if current_arch() is None:
        return False, f"no filter written for this architecture ({platform.machine()})"
    try:
        with open("/proc/sys/kernel/seccomp/actions_avail", encoding="ascii") as fh:
            actions = fh.read().split()
    except OSError:
        try:
            with open("/proc/self/status", encoding="ascii") as fh:
                if "Seccomp:" not in fh.read():
                    return False, "the kernel is built without seccomp"
        except OSError:
            return False, "no /proc: cannot tell whether the kernel has seccomp"
        return True, "seccomp filters available"
    if "errno" not in actions:
        return False, "the kernel's seccomp cannot return an error code"
    return True, "seccomp filters available"


def drop_capabilities(libc: ctypes.CDLL) -> tuple[bool, str]:
    """A root-owned child keeps its uid but loses every capability, for good."""
    if os.geteuid() != 0:
        return True, "not running as root"
    for cap in range(64):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() != errno.EINVAL:
            return False, f"cannot drop capability {cap}: {os.strerror(ctypes.get_errno())}"
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()                  # effective, permitted, inheritable: empty
    if libc.capset(header, data) != 0:
        return False, f"capset: {os.strerror(ctypes.get_errno())}"
    return True, "root without any capability"


def apply() -> Outcome:
    """Drop capabilities, set no_new_privs, install the filter. Never raises."""
    arch = current_arch()
    supported, why = kernel_support()
    if arch is None or not supported:
        return Outcome(False, why)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError as err:
        return Outcome(False, f"cannot load libc: {err}")
    caps_ok, caps_detail = drop_capabilities(libc)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return Outcome(False, f"no_new_privs: {os.strerror(ctypes.get_errno())}", caps_ok,
                       caps_detail)
    program = b"".join(build_filter(arch, os.getpid()))
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.addressof(buffer))
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        return Outcome(False, f"installing the filter: {os.strerror(ctypes.get_errno())}",
                       caps_ok, caps_detail)
    refused = sum(1 for names in DENIED.values() for name in names if name in arch.numbers)
    return Outcome(True, f"{refused} system calls refused, new processes and other "
                   "processes' signals refused, threads allowed", caps_ok, caps_detail)
