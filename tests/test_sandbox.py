"""Properties of the sandbox process itself, checked from inside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from attn_practice.grader.sandbox.server import shared_server
from attn_practice.grader.sandbox.session import Session
from attn_practice.grader.sandbox.wire import Budget, Policy

PROBE = b'''
import os, resource

def interfaces():
    return sorted(line.split(":")[0].strip() for line in open("/proc/net/dev") if ":" in line)

def identity():
    return os.getpgid(0) == os.getpid(), os.getcwd(), os.environ.get("HOME")

def limits():
    return resource.getrlimit(resource.RLIMIT_CORE)[0], resource.getrlimit(resource.RLIMIT_AS)[0]
'''


@pytest.fixture()
def session():
    policy = Policy("attempt.py", (str(Path(__file__).parent.parent / "problems"),))
    s = Session(shared_server(), PROBE, policy, Budget(30))
    assert s.open(), s.load_error
    yield s
    s.close()


def test_no_network_interfaces_when_the_kernel_allows_it(session) -> None:
    host = sorted(line.split(":")[0].strip() for line in open("/proc/net/dev") if ":" in line)
    if host == ["lo"]:
        pytest.skip("this machine has no network interface to hide")
    inside = session.call("interfaces", (), {}).value
    assert inside == ["lo"], inside  # a new, empty network namespace (loopback down)


def test_own_process_group_own_folder_and_limits(session) -> None:
    leader, cwd, home = session.call("identity", (), {}).value
    assert leader and "attn-sandbox-" in cwd and home == cwd
    core, address_space = session.call("limits", (), {}).value
    assert core == 0 and address_space > 0
