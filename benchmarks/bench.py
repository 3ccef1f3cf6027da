"""Start-up and grading speed, measured side by side in one run.

    python benchmarks/bench.py [--repeat 5]

Prints, for each command, the median wall time over the repeats against its
baseline (the bare imports that command cannot avoid) and their ratio:

- `attn-practice list`                 vs  python -c "import typer, rich"
- `attn-practice submit 5` (correct)   vs  python -c "import torch, pytest"

Runs alternate between command and baseline so that machine noise hits both.
"""

from __future__ import annotations

import argparse
import os
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    workspace = Path(tempfile.mkdtemp(prefix="attn-bench-"))
    env = {**os.environ, "ATTN_PRACTICE_WORKSPACE": str(workspace), "NO_COLOR": "1"}
    try:
        rows = [
            compare("list", [*CLI, "list"], [sys.executable, "-c", "import typer, rich"], env,
                    args.repeat),
            compare("submit (correct attempt)", [*CLI, "submit", "5", "--file", str(RIGHT)],
                    [sys.executable, "-c", "import torch, pytest"], env, args.repeat),
        ]
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    print(f"{'command':28} {'ours (s)':>9} {'baseline (s)':>13} {'ratio':>6}   (median of {args.repeat}, "
          f"{os.cpu_count()} cores)")
    for name, ours, base in rows:
        print(f"{name:28} {ours:9.3f} {base:13.3f} {ours / base:6.2f}")


if __name__ == "__main__":
    main()
