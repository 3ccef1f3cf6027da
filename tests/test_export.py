"""`export gradescope`: the autograder zip, and its real run_autograder run in a temporary
folder laid out like Gradescope's /autograder, with this environment's Python."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli
from attn_practice.grader.catalog import Catalog
from attn_practice.grader.export import export_gradescope
from attn_practice.grader.quiz import key_sheet

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "platforms" / "problem5"
QUIZPACK = Path(__file__).parent / "fixtures" / "quizpack" / "problems"


@pytest.fixture(scope="module")
def autograder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "autograder.zip"
    export_gradescope(Catalog.load(REPO / "problems").get("problem5"), out)
    return out


def unzip(archive: Path, dest: Path) -> None:
    """Like `unzip`: the files and their modes (zipfile alone drops the executable bit)."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            path = Path(zf.extract(info, dest))
            path.chmod((info.external_attr >> 16) & 0o777)


def run_autograder(archive: Path, root: Path, submission: dict[str, bytes]) -> tuple[dict, str]:
    """Gradescope's layout: source/ (the zip), submission/, results/; run_autograder copied to
    the root and run from there."""
    unzip(archive, root / "source")
    (root / "submission").mkdir()
    for name, data in submission.items():
        (root / "submission" / name).write_bytes(data)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ATTN_PRACTICE_WORKSPACE")}
    env.update(ATTN_AUTOGRADER_ROOT=str(root), ATTN_AUTOGRADER_PYTHON=sys.executable)
    done = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in (root / "results").iterdir()) == ["results.json"]
    return json.loads((root / "results" / "results.json").read_text()), done.stdout + done.stderr


def test_the_zip_holds_the_scripts_the_tool_and_this_problem_only(autograder: Path) -> None:
    with zipfile.ZipFile(autograder) as zf:
        names = zf.namelist()
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
        setup = zf.read("setup.sh").decode()
        requirements = zf.read("requirements.txt").decode().split()
    assert names[:4] == ["setup.sh", "run_autograder", "requirements.txt", "README.txt"]
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    assert "attn-practice/attn_practice/cli.py" in names
    assert "attn-practice/attn_practice/grader/points.py" in names
    assert "problems/problem5/tests/test_hidden.py" in names and "solutions/problem5.py" in names
    assert {n.split("/")[1] for n in names if n.startswith("problems/")} == {"problem5"}
    assert [n for n in names if n.startswith("solutions/")] == ["solutions/problem5.py"]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")
                or "attempt.py" in n or "progress.sqlite3" in n or "/." in n]
    assert "https://download.pytorch.org/whl/cpu" in setup and "python3.11" in setup
    assert any(r.startswith("torch") for r in requirements)
    assert any(r.startswith("typer") for r in requirements)


def test_the_same_problem_gives_the_same_zip(autograder: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.zip"
    export_gradescope(Catalog.load(REPO / "problems").get("problem5"), again)
    assert again.read_bytes() == autograder.read_bytes()


def test_the_scripts_are_valid_bash(autograder: Path, tmp_path: Path) -> None:
    unzip(autograder, tmp_path)
    for script in ("setup.sh", "run_autograder"):
        done = subprocess.run(["bash", "-n", str(tmp_path / script)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_run_autograder_grades_a_right_attempt(autograder: Path, tmp_path: Path) -> None:
    results, log = run_autograder(autograder, tmp_path, {
        "attempt.py": (GOLDEN / "right" / "attempt.py").read_bytes()})
    assert results["extra_data"]["status"] == "pass", log
    assert results["score"] == results["extra_data"]["max_points"] == len(results["tests"]) > 10
    assert all(t["status"] == "passed" for t in results["tests"])


def test_run_autograder_grades_a_wrong_attempt(autograder: Path, tmp_path: Path) -> None:
    results, log = run_autograder(autograder, tmp_path, {
        "attempt.py": (GOLDEN / "wrong" / "attempt.py").read_bytes()})
    assert results["extra_data"]["status"] == "fail", log
    assert 0 < results["score"] < results["extra_data"]["max_points"]
    assert "Softmax over the query axis" in results["output"]
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert failed and all(t["score"] == 0 and "Checked:" in t["output"] for t in failed)


def test_run_autograder_takes_a_single_file_under_another_name(autograder: Path,
                                                                tmp_path: Path) -> None:
    results, _ = run_autograder(autograder, tmp_path, {
        "my_attention.py": (GOLDEN / "syntax-error" / "attempt.py").read_bytes(),
        "notes.txt": b"not an attempt"})
    assert results["score"] == 0 and results["tests"] == []
    assert "SyntaxError" in results["output"] and "my_attention.py" in results["output"]


def test_run_autograder_says_what_to_upload(autograder: Path, tmp_path: Path) -> None:
    results, _ = run_autograder(autograder, tmp_path, {"a.py": b"", "b.py": b""})
    assert results["score"] == 0
    assert "no attempt.py" in results["output"] and "a.py b.py" in results["output"]


def test_a_quiz_exports_and_grades_its_answer_sheet(tmp_path: Path) -> None:
    quiz = Catalog.load(QUIZPACK).get("problem1")
    archive = tmp_path / "quiz.zip"
    summary = export_gradescope(quiz, archive)
    assert summary.attempt_name == "answers.toml" and "solutions/problem1.toml" in summary.files
    results, log = run_autograder(archive, tmp_path / "ag", {
        "answers.toml": key_sheet(quiz).encode()})
    assert results["extra_data"]["status"] == "pass", log
    assert results["score"] == summary.max_points == len(results["tests"])


def test_export_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(cli.app, ["export", "gradescope", "5", "-o", "out/ag.zip"])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "out" / "ag.zip").is_file() and "points" in done.output
    unknown = CliRunner().invoke(cli.app, ["export", "gradescope", "no-such-problem"])
    assert unknown.exit_code == 2
    wrong_target = CliRunner().invoke(cli.app, ["export", "moodle", "5"])
    assert wrong_target.exit_code == 2
    help_text = " ".join(CliRunner().invoke(cli.app, ["export", "--help"]).stdout.split())
    assert "Example: attn-practice export gradescope" in help_text


def test_setup_sh_makes_a_venv_with_cpu_torch_then_checks_the_grader_starts(
        autograder: Path, tmp_path: Path) -> None:
    """setup.sh's steps, without the network: a stand-in python3.13 whose venv logs every pip
    call and runs everything else with this environment's Python."""
    source, stubs, log = tmp_path / "source", tmp_path / "bin", tmp_path / "calls.log"
    unzip(autograder, source)
    stubs.mkdir()
    venv_python = (f'#!/bin/bash\necho "$*" >> {log}\n'
                   f'if [ "$1 $2" = "-m pip" ]; then exit 0; fi\nexec {sys.executable} "$@"\n')
    python = tmp_path / "bin" / "python3.13"
    python.write_text(f'#!/bin/bash\nif [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin"\n'
                      f"cat > \"$3/bin/python\" <<'EOF'\n{venv_python}EOF\n"
                      f'chmod +x "$3/bin/python"; exit 0; fi\nexec {sys.executable} "$@"\n')
    python.chmod(0o755)
    env = {"PATH": f"{stubs}:/usr/bin:/bin", "HOME": str(tmp_path),
           "ATTN_AUTOGRADER_VENV": str(tmp_path / "venv")}
    done = subprocess.run(["bash", str(source / "setup.sh")], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    calls = log.read_text().splitlines()
    assert calls[0] == "-m pip install --upgrade pip"
    assert calls[1].startswith("-m pip install --index-url https://download.pytorch.org/whl/cpu torch")
    assert calls[2] == f"-m pip install -r {source}/requirements.txt"
    assert calls[3] == "-m attn_practice --help"
