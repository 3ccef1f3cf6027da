"""The warm sandbox server: imports torch once, then forks one child per session.

Started by the trusted process (`client.ForkServer`) with one end of a
SOCK_SEQPACKET pair. Requests are JSON messages, with the child's channel and
output pipe passed as file descriptors. The server never runs attempt code
itself: only its forked children do, after limiting themselves.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import time


def main(ctrl_fd: int) -> None:
    ctrl = socket.socket(fileno=ctrl_fd)
    _die_with_parent()
    import numpy  # noqa: F401 - warm the heavy imports once, before any fork
    import torch

    torch.set_num_threads(1)  # before any op: no thread pool is started, so forking is safe
    _warm_up(torch)

    from attn_practice.grader.sandbox import worker
    from attn_practice.grader.sandbox.guard import kill_group

    ctrl.send(json.dumps({"ready": True, "pid": os.getpid()}).encode())
    children: dict[int, int | None] = {}
    try:
        while True:
            try:
                msg, fds, _flags, _addr = socket.recv_fds(ctrl, 1 << 16, 4)
            except (ConnectionError, OSError):
                break
            if not msg:
                break
            request = json.loads(msg)
            op = request.get("op")
            if op == "spawn":
                pid = os.fork()
                if pid == 0:
                    ctrl.close()
                    worker.child_main(fds[0], fds[1], request)
                for fd in fds:
                    os.close(fd)
                children[pid] = None
                ctrl.send(json.dumps({"pid": pid}).encode())
            elif op == "wait":
                status = _wait(children, int(request["pid"]), float(request.get("timeout", 0)))
                ctrl.send(json.dumps({"status": status}).encode())
            _reap(children)
    finally:
        for pid in list(children):
            kill_group(pid)


def _warm_up(torch) -> None:
    """Run the common kernels once, so every child starts with their code already mapped:
    faster first calls, and memory measurements that count the attempt, not torch's code."""
    for dtype in (torch.float32, torch.float64):
        x = torch.randn(64, 32, dtype=dtype, requires_grad=True)
        scores = x @ x.transpose(-2, -1) / 8.0
        weights = torch.softmax(scores.masked_fill(scores > 3, float("-inf")), dim=-1)
        out = (weights @ x).exp().amax(dim=-1).sum() + scores.max() + torch.where(
            scores > 0, scores, torch.zeros_like(scores)).mean()
        out.backward()
        torch.einsum("ij,kj->ik", x.detach(), x.detach()).sigmoid().tanh()


def _wait(children: dict[int, int | None], pid: int, timeout: float) -> dict | None:
    deadline = time.monotonic() + timeout
    while True:
        if children.get(pid) is not None:
            return _describe(children.pop(pid))
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            children.pop(pid, None)
            return None
        if done:
            children.pop(pid, None)
            return _describe(status)
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.01)


def _reap(children: dict[int, int | None]) -> None:
    for pid, status in list(children.items()):
        if status is not None:
            continue
        try:
            done, st = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            children.pop(pid, None)
            continue
        if done:
            children[pid] = st
    if len(children) > 256:  # statuses nobody asked for
        for pid in [p for p, s in children.items() if s is not None][:128]:
            children.pop(pid)


def _describe(status: int) -> dict:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return {"signal": sig, "signal_name": signal.Signals(sig).name}
    return {"exit_code": os.WEXITSTATUS(status)}



def _die_with_parent() -> None:
    from attn_practice.grader.sandbox.guard import die_with_parent

    die_with_parent()
    if os.getppid() == 1:
        os._exit(0)


if __name__ == "__main__":
    main(int(sys.argv[1]))
