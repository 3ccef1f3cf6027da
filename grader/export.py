"""`export gradescope`: one problem as a Gradescope autograder zip.

    setup.sh              Gradescope runs it once, building the image: Python 3.11+, a CPU-only
                          torch and attn-practice's dependencies, in /autograder/venv
    run_autograder        grades /autograder/submission/attempt.py (a quiz: answers.toml) into
                          /autograder/results/results.json, the reason included when it cannot
    requirements.txt      attn-practice's dependencies
    attn-practice/        the tool itself (attn_practice/ as a wheel lays it out), PYTHONPATH
    problems/problemN/    the problem: statement, hidden tests, known mistakes
    solutions/problemN.*  its reference solution (the sandbox keeps it from the attempt)
    README.txt            the layout, and how to run it in a temporary folder

Nothing else: no learner workspace, no other problem or solution. Every path the scripts
use can be overridden by an environment variable (ATTN_AUTOGRADER_*), so the tests run
the real run_autograder in a temporary folder laid out like Gradescope's.
"""

from __future__ import annotations

import importlib.metadata
import os
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from attn_practice.grader.catalog import Problem
from attn_practice.grader.config import REPO_ROOT
from attn_practice.grader.errors import ExportError

TOOL_ROOT = REPO_ROOT  # a checkout, or site-packages/attn_practice (pyproject.toml lives here)
CLI_MODULE = "attn_practice"  # python -m CLI_MODULE is the attn-practice command
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same problem gives the same zip


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    problem_id: str
    attempt_name: str  # what the learner uploads
    max_points: float  # set the Gradescope assignment's points to this
    files: tuple[str, ...]  # names in the zip


def export_gradescope(problem: Problem, out: Path) -> ExportSummary:
    """Write the autograder zip for `problem` to `out` (replaced if it exists)."""
    from attn_practice.grader.points import possible_points

    if not problem.solution_path.is_file():
        raise ExportError(f"{problem.id} has no reference solution at {problem.solution_path}.",
                          hint="The autograder compares with it; add it, then export again.")
    dependencies = _dependencies()
    torch = next((d for d in dependencies if d.split(";")[0].strip().startswith("torch")), "torch")
    entries: list[tuple[str, bytes, int]] = [
        ("setup.sh", _fill(SETUP_SH, TORCH=torch, TORCH_INDEX=TORCH_CPU_INDEX), 0o755),
        ("run_autograder", _fill(RUN_AUTOGRADER, PROBLEM=problem.id,
                                 ATTEMPT=problem.attempt_name), 0o755),
        ("requirements.txt", ("\n".join(dependencies) + "\n").encode(), 0o644),
        ("README.txt", _fill(README_TXT, PROBLEM=problem.id, ATTEMPT=problem.attempt_name), 0o644),
    ]
    entries += _tool()
    entries += _tree(problem.folder, f"problems/{problem.id}")
    entries += _tree(problem.solution_path, f"solutions/{problem.solution_path.name}")
    _write_zip(out, entries)
    return ExportSummary(out, problem.id, problem.attempt_name, possible_points(problem),
                         tuple(name for name, _, _ in entries))


def _fill(template: str, **values: str) -> bytes:
    text = template
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    text = text.replace("@CLI@", CLI_MODULE)
    return text.encode("utf-8")


def _tool() -> list[tuple[str, bytes, int]]:
    """The tool laid out as the wheel installs it: attn-practice/attn_practice/ with its
    modules, the command line and grader/ inside (the problem goes in separately)."""
    import attn_practice
    import attn_practice.grader

    entries = [(f"attn-practice/attn_practice/{f.name}", f.read_bytes(), 0o644)  # links read
               for f in sorted(Path(attn_practice.__file__).parent.glob("*.py"))]  # through
    return entries + _tree(Path(attn_practice.grader.__file__).parent,
                           "attn-practice/attn_practice/grader")


def _tree(path: Path, arcname: str) -> list[tuple[str, bytes, int]]:
    """A file, or every file under a folder (no caches, no bytecode), in a stable order."""
    if not path.exists():
        raise ExportError(f"{path} does not exist; the autograder needs it.")
    if path.is_file():
        return [(arcname, path.read_bytes(), 0o644)]
    out = []
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        relative = file.relative_to(path)
        if "__pycache__" in relative.parts or file.suffix == ".pyc" or any(
                part.startswith(".") for part in relative.parts):
            continue
        out.append((f"{arcname}/{relative.as_posix()}", file.read_bytes(), 0o644))
    return out


def _write_zip(out: Path, entries: list[tuple[str, bytes, int]]) -> None:
    """Write beside the target, then rename: a failed export leaves no half zip."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}-")
    except OSError as err:
        raise ExportError(f"cannot write {out}: {err.strerror or err}") from err
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data, mode in entries:
                info = zipfile.ZipInfo(name, date_time=_EPOCH)
                info.external_attr = (0o100000 | mode) << 16  # a regular file and its mode
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
        os.replace(tmp, out)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"cannot write {out}: {err.strerror or err}") from err


def _dependencies() -> list[str]:
    """attn-practice's requirements: from pyproject.toml in a checkout, else the installed
    package's metadata (extras left out)."""
    pyproject = TOOL_ROOT / "pyproject.toml"
    if pyproject.is_file():
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        if project.get("name") == "attn-practice" and project.get("dependencies"):
            return list(project["dependencies"])
    try:
        requires = importlib.metadata.requires("attn-practice") or []
    except importlib.metadata.PackageNotFoundError:
        requires = []
    found = [r for r in requires if "extra ==" not in r.replace('"', "").replace("'", "")]
    if not found:
        raise ExportError("cannot tell attn-practice's dependencies: neither its pyproject.toml "
                          "nor its installed metadata was found.")
    return found


SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, while it builds the autograder image (Ubuntu). It installs
# Python 3.11 or newer, a CPU-only torch and attn-practice's dependencies into a virtual
# environment. ATTN_AUTOGRADER_SOURCE and ATTN_AUTOGRADER_VENV move it elsewhere.
set -euo pipefail
SOURCE="${ATTN_AUTOGRADER_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
VENV="${ATTN_AUTOGRADER_VENV:-/autograder/venv}"
TORCH_INDEX="${ATTN_AUTOGRADER_TORCH_INDEX:-@TORCH_INDEX@}"

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" > /dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2> /dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

PYTHON="$(find_python || true)"
if [ -z "$PYTHON" ]; then  # Ubuntu 22.04 ships Python 3.10; 3.11 is in its own archive
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y python3.11 python3.11-venv
  PYTHON="$(command -v python3.11)"
fi
if ! "$PYTHON" -m venv "$VENV"; then  # Ubuntu keeps venv (ensurepip) in a package of its own
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$(basename "$PYTHON")-venv"
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --upgrade pip
# the CPU-only build of torch (a plain `pip install torch` brings CUDA: gigabytes)
"$VENV/bin/python" -m pip install --index-url "$TORCH_INDEX" "@TORCH@"
"$VENV/bin/python" -m pip install -r "$SOURCE/requirements.txt"
# fail the build now, not at the first submission, if the grader cannot start
PYTHONPATH="$SOURCE/attn-practice" "$VENV/bin/python" -m @CLI@ --help > /dev/null
echo "attn-practice is ready in $VENV"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission (copied to /autograder/run_autograder, from
# /autograder). It grades the submission's @ATTEMPT@ as an attempt at @PROBLEM@ and writes
# results/results.json: score 0 with the reason when it cannot be graded. Every path can be
# overridden, so it runs anywhere:
#   ATTN_AUTOGRADER_ROOT (default /autograder), then ATTN_AUTOGRADER_SOURCE ($ROOT/source),
#   ATTN_AUTOGRADER_SUBMISSION ($ROOT/submission), ATTN_AUTOGRADER_RESULTS ($ROOT/results),
#   ATTN_AUTOGRADER_PYTHON ($ROOT/venv/bin/python, as setup.sh made it).
set -uo pipefail
ROOT="${ATTN_AUTOGRADER_ROOT:-/autograder}"
SOURCE="${ATTN_AUTOGRADER_SOURCE:-$ROOT/source}"
SUBMISSION="${ATTN_AUTOGRADER_SUBMISSION:-$ROOT/submission}"
RESULTS="${ATTN_AUTOGRADER_RESULTS:-$ROOT/results}"
PYTHON="${ATTN_AUTOGRADER_PYTHON:-${ATTN_AUTOGRADER_VENV:-$ROOT/venv}/bin/python}"
PROBLEM="@PROBLEM@"
ATTEMPT="@ATTEMPT@"

mkdir -p "$RESULTS"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PYTHONPATH="$SOURCE/attn-practice"
export ATTN_PRACTICE_WORKSPACE="$work/workspace"
export NO_COLOR=1
unset ATTN_PRACTICE_PROBLEMS

# results.json whatever happens: score 0, and why, in words the student can act on
give_zero() {
  "$PYTHON" -c 'import json, sys
json.dump({"score": 0, "output": sys.argv[1], "output_format": "text", "tests": []},
          open(sys.argv[2], "w", encoding="utf-8"), indent=2)' "$1" "$RESULTS/results.json" ||
    printf '{"score": 0, "output": "The autograder could not run. Please tell your instructor."}\n' \
      > "$RESULTS/results.json"
}

attempt="$SUBMISSION/$ATTEMPT"
if [ ! -f "$attempt" ]; then  # a single file of the right kind under another name will do
  shopt -s nullglob
  candidates=("$SUBMISSION"/*."${ATTEMPT##*.}")
  if [ "${#candidates[@]}" -eq 1 ]; then
    attempt="${candidates[0]}"
  fi
fi
if [ ! -f "$attempt" ]; then
  found="$(ls -A "$SUBMISSION" 2> /dev/null | tr '\n' ' ')"
  give_zero "Your submission has no $ATTEMPT (it holds: ${found:-nothing}). Upload your attempt as $ATTEMPT."
  exit 0
fi

"$PYTHON" -m @CLI@ submit "$PROBLEM" --file "$attempt" --problems-dir "$SOURCE/problems" \
  --format gradescope > "$work/results.json" 2> "$work/stderr.txt"
status=$?
cat "$work/stderr.txt"  # for the instructor: Gradescope keeps this script's output
if [ "$status" -le 1 ] && [ -s "$work/results.json" ]; then  # 0: passed; 1: failed or ungradable
  mv "$work/results.json" "$RESULTS/results.json"
else
  give_zero "The autograder could not grade this submission (exit code $status). Your instructor can see why in the autograder output."
fi
exit 0
"""

README_TXT = """An attn-practice autograder for @PROBLEM@ (made by `attn-practice export gradescope`).

On Gradescope: a Programming Assignment, Configure Autograder, upload this zip (base image
Ubuntu 22.04 or newer). Students upload @ATTEMPT@. Set the assignment's points to the
problem's points (`export` printed them; results.json's extra_data.max_points says too).

    setup.sh          installs Python 3.11+, a CPU-only torch and the dependencies (once)
    run_autograder    grades /autograder/submission/@ATTEMPT@ into /autograder/results/results.json
    attn-practice/    the grader; problems/ and solutions/: this problem only

To try it without Gradescope, lay out a folder like /autograder and point the scripts at it:

    mkdir -p ag/source ag/submission && unzip autograder.zip -d ag/source
    cp my_attempt ag/submission/@ATTEMPT@
    ATTN_AUTOGRADER_SOURCE=$PWD/ag/source ATTN_AUTOGRADER_VENV=$PWD/ag/venv bash ag/source/setup.sh
    ATTN_AUTOGRADER_ROOT=$PWD/ag ag/source/run_autograder && cat ag/results/results.json

(ATTN_AUTOGRADER_PYTHON=/path/to/python instead of setup.sh uses a Python that already has
torch, numpy, pytest, rich and typer.)
"""
