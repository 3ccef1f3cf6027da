"""The kernel layers of the sandbox (Landlock, seccomp), checked from inside a real sandbox,
and `doctor`, which reports them. A test of a layer this machine lacks skips with the reason."""

from __future__ import annotations

import json
import sys
import struct
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli
from attn_practice.grader.sandbox import landlock, seccomp
from attn_practice.grader.sandbox.server import shared_server
from attn_practice.grader.sandbox.session import Session
from attn_practice.grader.sandbox.wire import Budget, Policy
from attn_practice.grader.sandbox.doctor import sandbox_report

REPO = Path(__file__).resolve().parent.parent
HIDDEN = (str(REPO / "problems"), str(REPO / "solutions"))

# Probes switch the audit hook off first, so that only the kernel stands in the way.
PROBE = b'''
import gc, os, signal, socket, threading, types
import torch

def _hook_off():
    for obj in gc.get_objects():
        if type(obj) is types.FunctionType and obj.__code__.co_name == "hook" \\
                and "busy" in obj.__code__.co_freevars:
            obj.__closure__[obj.__code__.co_freevars.index("busy")].cell_contents[0] = True

_hook_off()

def errno_of(fn):
    try:
        fn()
    except OSError as err:
        return err.errno
    except ValueError as err:  # resource.setrlimit turns EPERM into ValueError
        return 1 if "not allowed" in str(err) else -1
    except RuntimeError as err:  # torch's native reader and writer
        return 13 if "Permission denied" in str(err) else -1
    return 0

def read_answers(path):
    return errno_of(lambda: open(path).read())

def read_answers_natively(path):
    return errno_of(lambda: torch.from_file(path, size=8, dtype=torch.uint8))

def write_tmp():
    return errno_of(lambda: open("/tmp/attn-kernel-layer-probe", "w"))

def own_folder():
    with open("scratch.txt", "w") as fh:
        fh.write("ok")
    os.rename("scratch.txt", "kept.txt")
    return open("kept.txt").read()

def parent_environ():
    return errno_of(lambda: open(f"/proc/{os.getppid()}/environ", "rb").read())

def fork():
    return errno_of(os.fork)

def new_socket():
    return errno_of(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))

def signal_parent():
    return errno_of(lambda: os.kill(os.getppid(), 0))

def signal_self():
    return errno_of(lambda: os.kill(os.getpid(), 0))

def raise_memory_limit():
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    return errno_of(lambda: resource.setrlimit(resource.RLIMIT_AS, (hard, hard)))

def threads_and_torch():
    out = []
    t = threading.Thread(target=lambda: out.append(float(torch.ones(4).softmax(0).sum())))
    t.start()
    t.join()
    import decimal, importlib, json  # lazy imports still load
    importlib.import_module("torch.nn.functional")
    return out

def peak_memory_is_readable():
    return open("/proc/self/status").read().startswith("Name:")
'''


@pytest.fixture(scope="module")
def report():
    return sandbox_report(HIDDEN)


def needs(report, name: str) -> None:
    layer = report.layer(name)
    if layer is None or not layer.active:
        pytest.skip(f"{name} is missing here: {layer.detail if layer else 'unknown'}")


@pytest.fixture()
def session():
    s = Session(shared_server(), PROBE, Policy("attempt.py", HIDDEN), Budget(60))
    assert s.open(), s.load_error
    yield s
    s.close()


def call(session, name: str, *args):
    outcome = session.call(name, args, {})
    assert outcome.ok, outcome.error
    return outcome.value


def test_landlock_hides_the_answers_from_python_and_native_code(report, session) -> None:
    needs(report, "landlock-files")
    solution = str(REPO / "solutions" / "problem5.py")
    assert call(session, "read_answers", solution) == 13
    assert call(session, "read_answers_natively", solution) == 13
    assert call(session, "read_answers", str(REPO / "problems" / "problem5" / "problem.toml")) == 13
    assert call(session, "write_tmp") == 13
    assert call(session, "parent_environ") == 13
    assert call(session, "own_folder") == "ok"
    assert not Path("/tmp/attn-kernel-layer-probe").exists()


def test_seccomp_refuses_processes_sockets_signals_and_limits(report, session) -> None:
    needs(report, "seccomp")
    assert call(session, "fork") == 1          # EPERM
    assert call(session, "new_socket") == 1
    assert call(session, "signal_parent") == 1
    assert call(session, "signal_self") == 0
    assert call(session, "raise_memory_limit") == 1


def test_threads_lazy_imports_and_memory_measurement_still_work(session) -> None:
    assert call(session, "threads_and_torch") == [1.0]
    assert call(session, "peak_memory_is_readable") is True


def test_every_sandbox_child_reports_its_layers(report, session) -> None:
    names = [layer["name"] for layer in session.layers]
    assert names[:5] == ["landlock-files", "landlock-network", "landlock-scopes",
                         "capabilities", "seccomp"]
    by_name = {layer["name"]: layer["state"] for layer in session.layers}
    assert by_name["landlock-files"] == report.layer("landlock-files").state.value


def test_without_the_kernel_layers_grading_still_works() -> None:
    """Where the kernel offers less, the layers that are left still grade (here: switched off)."""
    s = Session(shared_server(), b"def f(x):\n    return x + 1\n",
                Policy("attempt.py", HIDDEN, kernel_layers=False), Budget(30))
    assert s.open(), s.load_error
    try:
        assert s.call("f", (1,), {}).value == 2
        states = {layer["name"]: layer["state"] for layer in s.layers}
        assert states["landlock-files"] == "missing" and states["rlimits"] == "active"
    finally:
        s.close()


# -- the policy itself, machine-independent ----------------------------------------------


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_seccomp_program_is_well_formed(arch: str) -> None:
    spec = seccomp.ARCHES[arch]
    program = seccomp.build_filter(spec, 4242)
    assert 0 < len(program) < 4096
    for i, insn in enumerate(program):
        code, jt, jf, _k = struct.unpack("=HBBI", insn)
        if code & 0x07 == 0x05:  # a jump: both targets inside the program
            assert i + 1 + max(jt, jf) < len(program), (arch, i)
    assert struct.unpack("=HBBI", program[-1])[0] == 0x06  # ends with a return
    numbers = [n for name, n in spec.numbers.items()]
    assert len(numbers) == len(set(numbers)), "two syscalls share a number"


def _run_filter(program: list[bytes], nr: int, arch: int, args: tuple[int, ...] = ()) -> int:
    """A tiny interpreter for the instructions the filter uses."""
    data = struct.pack("=iIQ6Q", nr, arch, 0, *(list(args) + [0] * (6 - len(args))))
    acc, pc = 0, 0
    while True:
        code, jt, jf, k = struct.unpack("=HBBI", program[pc])
        if code == 0x20:
            acc = struct.unpack_from("=I", data, k)[0]
        elif code == 0x06:
            return k
        else:
            taken = {0x15: acc == k, 0x35: acc >= k, 0x45: bool(acc & k)}[code]
            pc += jt if taken else jf
        pc += 1


def test_seccomp_decisions() -> None:
    spec = seccomp.ARCHES["x86_64"]
    program = seccomp.build_filter(spec, 4242)
    n, arch = spec.numbers, spec.audit_arch
    allow, eperm, enosys = 0x7FFF0000, 0x50001, 0x50026
    assert _run_filter(program, 0, arch) == allow                       # read
    assert _run_filter(program, n["execve"], arch) == eperm
    assert _run_filter(program, n["socket"], arch) == eperm
    assert _run_filter(program, n["clone3"], arch) == enosys            # libc falls back to clone
    assert _run_filter(program, n["clone"], arch, (0x3D0F00,)) == allow  # glibc's thread flags
    assert _run_filter(program, n["clone"], arch, (17,)) == eperm       # fork(): SIGCHLD only
    assert _run_filter(program, n["kill"], arch, (4242, 9)) == allow
    assert _run_filter(program, n["kill"], arch, ((-4242) & 0xFFFFFFFF, 9)) == allow
    assert _run_filter(program, n["kill"], arch, (4241, 9)) == eperm
    assert _run_filter(program, n["kill"], arch, (0xFFFFFFFF, 9)) == eperm  # kill(-1): everyone
    assert _run_filter(program, n["prlimit64"], arch, (0, 9, 0, 1234)) == allow   # read a limit
    assert _run_filter(program, n["prlimit64"], arch, (0, 9, 5678, 0)) == eperm   # set one
    assert _run_filter(program, 0x40000000 | 1, arch) == eperm          # x32 ABI
    assert _run_filter(program, 0, 0x40000003) == 0x80000000            # i386 ABI: killed


def test_landlock_plan_never_grants_a_folder_holding_the_answers(tmp_path: Path) -> None:
    sandbox = tmp_path / "attn-sandbox-x"
    sandbox.mkdir()
    grants = landlock.plan(str(sandbox), HIDDEN)
    for path in grants.read:
        for hidden in HIDDEN:
            assert not (hidden + "/").startswith(path.rstrip("/") + "/"), path
            assert not path.startswith(hidden + "/"), path
    assert str(REPO / "grader") in grants.read
    assert grants.read_write == (str(sandbox),)


def test_landlock_plan_for_an_installed_wheel_grants_around_the_answers(tmp_path: Path,
                                                                        monkeypatch) -> None:
    """Installed, the answers sit in site-packages/attn_practice/: site-packages is granted
    entry by entry around them, also through a lib64 -> lib link."""
    import attn_practice.grader as grader_package

    venv = tmp_path / "venv"
    site = venv / "lib" / "python3.11" / "site-packages"
    app = site / "attn_practice"
    for folder in (site / "torch", app / "grader" / "sandbox", app / "problems" / "problem5",
                   app / "solutions", venv / "bin"):
        folder.mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "grader" / "__init__.py").write_text("")
    (venv / "lib64").symlink_to(venv / "lib")
    hidden = (str(app / "problems"), str(app / "solutions"))
    monkeypatch.setattr(grader_package, "__file__", str(app / "grader" / "__init__.py"))
    monkeypatch.setattr(sys, "path", [str(site)])
    for name in ("prefix", "base_prefix", "exec_prefix", "base_exec_prefix"):
        monkeypatch.setattr(sys, name, str(venv))
    sandbox = tmp_path / "attn-sandbox-y"
    sandbox.mkdir()
    grants = landlock.plan(str(sandbox), hidden)
    for path in grants.read:
        for h in hidden:
            assert not (h + "/").startswith(path.rstrip("/") + "/"), path
            assert not path.startswith(h + "/"), path
    assert str(site / "torch") in grants.read and str(app / "grader") in grants.read
    assert str(venv / "lib64") not in grants.read and str(venv / "lib") not in grants.read
    assert set(grants.skipped) == set(hidden)


def test_landlock_rights_per_abi() -> None:
    assert landlock.fs_rights(1) == (1 << 13) - 1
    assert landlock.fs_rights(3) == (1 << 15) - 1
    assert landlock.fs_rights(7) == (1 << 16) - 1
    assert landlock.net_rights(3) == 0 and landlock.net_rights(4) == 3
    assert landlock.scopes(5) == 0 and landlock.scopes(6) == 3


# -- doctor and grade ---------------------------------------------------------------------


def test_doctor_json_lists_every_layer() -> None:
    result = CliRunner().invoke(cli.app, ["doctor", "--format", "json"])
    doc = json.loads(result.stdout)
    assert [x["name"] for x in doc["layers"]][:5] == [
        "landlock-files", "landlock-network", "landlock-scopes", "capabilities", "seccomp"]
    assert {x["state"] for x in doc["layers"]} <= {"active", "missing"}
    assert result.exit_code == (0 if doc["hides_answers"] else 1)
    assert "landlock_abi" in doc and all(x["detail"] for x in doc["layers"])


def _pretend_no_landlock(monkeypatch) -> None:
    monkeypatch.setattr(landlock, "kernel_abi", lambda: (None, "pretend: no Landlock here"))


def test_doctor_says_why_a_layer_is_missing(monkeypatch) -> None:
    _pretend_no_landlock(monkeypatch)
    result = CliRunner().invoke(cli.app, ["doctor", "--format", "plain"])
    assert result.exit_code == 1
    assert "pretend: no Landlock here" in result.stdout and "Weak sandbox" in result.stdout


def test_grade_refuses_a_weak_sandbox_unless_allowed(tmp_path: Path, monkeypatch) -> None:
    _pretend_no_landlock(monkeypatch)
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "alice.py").write_bytes((REPO / "problems" / "problem5" / "stub.py").read_bytes())
    args = ["grade", str(folder), "--problem", "5", "--out", str(tmp_path / "g.csv"), "--jobs", "1"]
    refused = CliRunner().invoke(cli.app, args)
    assert refused.exit_code == 2 and "--allow-weak-sandbox" in refused.stderr
    assert "missing: landlock-files" in refused.stderr
    allowed = CliRunner().invoke(cli.app, args + ["--allow-weak-sandbox"])
    assert allowed.exit_code == 0, allowed.stdout
    assert "1 graded" in allowed.stdout
