"""Start-up and grading speed, measured side by side in one run.

    python benchmarks/bench.py [--repeat 5] [--class-size 40]

Prints, for each command, the median wall time over the repeats against its
baseline and their ratio:

- `attn-practice list`                 vs  python -c "import typer, rich.console, rich.table"
  in a new workspace, and in one with a progress store (submissions, a hint: what a
  learner's `list` reads)
- `attn-practice submit 5` (correct)   vs  python -c "import torch, pytest"
- `attn-practice grade` of a class, per submission   vs  one `submit`
- `attn-practice watch 5`: from a save to the report on screen (and to the start of
  the re-grade), against the 0.5 s target
- with --course N: a course of N submissions graded by the local pool (2 jobs) and by
  a local Dask cluster of 1 and of 2 workers: submissions per second and the scaling
  efficiency of 2 workers over 1 (needs the optional `distributed`)
- a sandbox start (fork, limits, Landlock, seccomp, import of the attempt, ready) with
  the kernel layers against the same start without them (budget: at most 10 ms added);
  `--sandbox-only` measures just this

Runs alternate between command and baseline so that machine noise hits both. The
package's bytecode is compiled first, as `pip install` does: with PYTHONDONTWRITEBYTECODE
set, a checkout would otherwise recompile every edited module on every run.
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "cli"]
RIGHT = REPO / "tests" / "golden" / "problem5" / "right" / "attempt.py"


def timed(cmd: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True)
    elapsed = time.perf_counter() - started
    if proc.returncode not in ok:
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr.decode()[-2000:]}")
    return elapsed


def compare(name: str, cmd: list[str], baseline: list[str], env: dict[str, str],
            repeat: int) -> tuple[str, float, float]:
    timed(cmd, env)  # warm the file cache once
    timed(baseline, env)
    ours, base = [], []
    for _ in range(repeat):
        ours.append(timed(cmd, env))
        base.append(timed(baseline, env))
    return name, statistics.median(ours), statistics.median(base)


def grade_class(env: dict[str, str], size: int, submit_seconds: float) -> tuple[str, float, float]:
    """Per-submission cost of `grade` on a class of `size` (right and wrong attempts mixed)."""
    folder = Path(tempfile.mkdtemp(prefix="attn-bench-class-"))
    mistakes = sorted((REPO / "problems" / "problem5" / "mistakes").glob("*.py"))
    for i in range(size):
        source = RIGHT if i % 2 == 0 else mistakes[i % len(mistakes)]
        shutil.copy(source, folder / f"learner{i:03d}.py")
    try:
        total = timed([*CLI, "grade", str(folder), "--problem", "5", "--out",
                       str(folder / "out" / "grades.csv"), "--jobs", "2"], env)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return f"grade {size} (per submission)", total / size, submit_seconds


def course_throughput(env: dict[str, str], size: int) -> list[tuple[str, float]]:
    """Submissions per second of a course (a folder per learner) on each engine."""
    folder = Path(tempfile.mkdtemp(prefix="attn-bench-course-"))
    mistakes = sorted((REPO / "problems" / "problem5" / "mistakes").glob("*.py"))
    for i in range(size):
        learner = folder / "course" / f"learner{i:03d}"
        learner.mkdir(parents=True)
        shutil.copy(RIGHT if i % 2 == 0 else mistakes[i % len(mistakes)], learner / "problem5.py")
    rates = []
    try:
        for name, flags in (("local pool, 2 jobs", ["--jobs", "2"]),
                            ("dask, 1 worker", ["--engine", "dask", "--jobs", "1"]),
                            ("dask, 2 workers", ["--engine", "dask", "--jobs", "2"])):
            out = folder / name.replace(" ", "_").replace(",", "") / "grades.csv"
            seconds = timed([*CLI, "grade", str(folder / "course"), "--out", str(out), *flags], env)
            rates.append((name, size / seconds))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return rates


def with_progress(env: dict[str, str]) -> dict[str, str]:
    """An environment whose workspace has a progress store: a failed and a passed submission
    of problem 5, a hint of problem 7."""
    workspace = Path(env["ATTN_PRACTICE_WORKSPACE"]) / "with-progress"
    seeded = {**env, "ATTN_PRACTICE_WORKSPACE": str(workspace)}
    wrong = sorted((REPO / "problems" / "problem5" / "mistakes").glob("*.py"))[0]
    for args in (["start", "5"], ["submit", "5", "--file", str(wrong)],
                 ["submit", "5", "--file", str(RIGHT)], ["hint", "7"]):
        timed([*CLI, *args], seeded, ok=(0, 1))
    return seeded


def watch_latency(env: dict[str, str], saves: int = 3) -> list[float]:
    """Seconds from each save to the re-graded report, as `watch` itself measures them."""
    folder = Path(tempfile.mkdtemp(prefix="attn-bench-watch-"))
    attempt = folder / "attempt.py"
    shutil.copy(RIGHT, attempt)
    proc = subprocess.Popen([*CLI, "watch", "5", "--file", str(attempt), "--max-runs",
                             str(saves + 1)], env=env, cwd=REPO, stdout=subprocess.PIPE, text=True)
    lags: list[float] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            match = re.match(r"Report ready ([0-9.]+) s after the save", line)
            if match:
                lags.append(float(match.group(1)))
            if line.startswith("Watching"):
                if len(lags) >= saves:
                    break
                time.sleep(0.3)
                attempt.write_text(attempt.read_text() + "\n")  # a save
    finally:
        proc.kill()
        shutil.rmtree(folder, ignore_errors=True)
    return lags


def sandbox_start(starts: int) -> tuple[str, float, float]:
    """Median wall time of Session.open() with and without the kernel layers, alternating."""
    sys.path.insert(0, str(REPO))
    from attn_practice.grader.sandbox.server import shared_server
    from attn_practice.grader.sandbox.session import Session
    from attn_practice.grader.sandbox.wire import Budget, Policy

    server = shared_server()
    hidden = (str(REPO / "problems"), str(REPO / "solutions"))
    source = RIGHT.read_bytes()
    times: dict[bool, list[float]] = {True: [], False: []}
    for i in range(2 * starts + 4):
        layers = i % 2 == 0
        session = Session(server, source, Policy("attempt.py", hidden, kernel_layers=layers),
                          Budget(60))
        started = time.perf_counter()
        opened = session.open()
        elapsed = time.perf_counter() - started
        session.close()
        if not opened:
            sys.exit(f"the sandbox did not start: {session.load_error}")
        if i >= 4:  # the first starts warm the server
            times[layers].append(elapsed)
    server.close()
    return ("sandbox start: layers / none", statistics.median(times[True]),
            statistics.median(times[False]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--class-size", type=int, default=40)
    parser.add_argument("--course", type=int, default=0, help="also grade a course of N")
    parser.add_argument("--sandbox-starts", type=int, default=40)
    parser.add_argument("--sandbox-only", action="store_true")
    parser.add_argument("--list-only", action="store_true", help="just the two `list` rows")
    args = parser.parse_args()
    if args.sandbox_only:
        _print_sandbox(sandbox_start(args.sandbox_starts), args.sandbox_starts)
        return
    for folder in ("grader", "attn_practice"):
        compileall.compile_dir(REPO / folder, quiet=1)
    compileall.compile_file(REPO / "cli.py", quiet=1)
    workspace = Path(tempfile.mkdtemp(prefix="attn-bench-"))
    env = {**os.environ, "ATTN_PRACTICE_WORKSPACE": str(workspace), "NO_COLOR": "1"}
    lags: list[float] = []
    rates: list[tuple[str, float]] = []
    startup = [sys.executable, "-c", "import typer, rich.console, rich.table"]
    try:
        rows = [compare("list", [*CLI, "list"], startup, env, args.repeat),
                compare("list, with progress", [*CLI, "list"], startup, with_progress(env),
                        args.repeat)]
        if not args.list_only:
            submit = compare("submit (correct attempt)", [*CLI, "submit", "5", "--file", str(RIGHT)],
                             [sys.executable, "-c", "import torch, pytest"], env, args.repeat)
            rows += [submit, grade_class(env, args.class_size, submit[1])]
            lags = watch_latency(env)
            rates = course_throughput(env, args.course) if args.course else []
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    print(f"{'command':28} {'ours (s)':>9} {'baseline (s)':>13} {'ratio':>6}   (median of {args.repeat}, "
          f"{os.cpu_count()} cores)")
    for name, ours, base in rows:
        print(f"{name:28} {ours:9.3f} {base:13.3f} {ours / base:6.2f}")
    if lags:
        print(f"{'watch: save -> report':28} {statistics.median(lags):9.3f} {0.5:13.3f} "
              f"{statistics.median(lags) / 0.5:6.2f}   (median of {len(lags)} saves; baseline = 0.5 s target)")
    for name, rate in rates:
        print(f"course of {args.course}, {name:18} {rate:6.2f} submissions/s "
              f"({1 / rate:.3f} s each, start-up included)")
    if len(rates) == 3:
        print(f"dask scaling efficiency, 2 workers over 1: {rates[2][1] / (2 * rates[1][1]):.0%}")
    if not args.list_only:
        _print_sandbox(sandbox_start(args.sandbox_starts), args.sandbox_starts)


def _print_sandbox(row: tuple[str, float, float], starts: int) -> None:
    name, ours, base = row
    print(f"{name:28} {ours:9.4f} {base:13.4f} {ours / base:6.2f}   (median of {starts} "
          f"starts each; the kernel layers add {1000 * (ours - base):.1f} ms, budget 10 ms)")


if __name__ == "__main__":
    main()
