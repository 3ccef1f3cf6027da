"""The commands as a learner and an instructor use them, run in-process with CliRunner."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

import cli

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "problem5"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(cli.app, list(args))


def test_help_explains_every_command_with_an_example() -> None:
    result = run("--help")
    assert result.exit_code == 0
    commands = ["list", "show", "start", "submit", "hint", "solution", "progress", "reset",
                "validate", "quiz", "new", "grade"]
    for name in commands:
        assert name in result.stdout
        sub = run(name, "--help")
        assert sub.exit_code == 0, name
        assert "Example: attn-practice " + name in " ".join(sub.stdout.split()), name


def test_list_shows_problems_with_status(temp_workspace: Path) -> None:
    result = run("list")
    assert result.exit_code == 0
    assert "problem5" in result.stdout and "Simple attention" in result.stdout
    assert "new" in result.stdout
    run("start", "5")
    assert "started" in run("list").stdout


@pytest.mark.parametrize("width", [80, 100, 120, 200])
def test_list_is_one_aligned_line_a_problem(temp_workspace: Path, width: int) -> None:
    """Columns line up at every width; only a title too long for the terminal wraps (onto
    lines that start in the title's column); tags show when there is room, cut with an
    ellipsis, and otherwise a line says where to find them."""
    from attn_practice.grader.api import App
    from attn_practice.grader.config import resolve_settings
    from attn_practice.grader.render.tables import render_list
    from attn_practice.grader.render.terminal import make_console

    rows = App(resolve_settings()).list_rows()
    for plain in (True, False):
        console = make_console(plain, width=width)
        with console.capture() as captured:
            render_list(console, rows, plain)
        lines = captured.get().splitlines()
        assert all(len(line) <= width for line in lines)
        header = lines[1]
        starts = [header.index(name) for name in ("id", "title", "kind", "level", "status")]
        problems = [line for line in lines if line.split()[:1] and
                    line.split()[0].startswith("problem")]
        assert [p.split()[0] for p in problems] == [r.id for r in rows]
        for line, r in zip(problems, rows):
            assert line[starts[2]:].split()[:3] == [r.kind, r.difficulty, r.status], line
        continued = [line for line in lines[2:] if line not in problems and line.startswith(" ")]
        assert all(line[:starts[1]].strip() == "" for line in continued)
        assert len(continued) <= (3 if width >= 100 else len(rows))  # few titles wrap
        if "tags" in header:
            assert width >= 120 and ("..." if plain else "…") in "".join(problems)
        else:
            assert width < 120 and "Tags: `attn-practice show <id>`" in captured.get()


def test_list_filters(temp_workspace: Path) -> None:
    out = run("list", "--tag", "softmax", "--kind", "code").stdout
    assert "problem5" in out
    assert "problem5" not in run("list", "--difficulty", "hard").stdout


def test_show_in_english_and_chinese() -> None:
    en = run("show", "problem5")
    assert en.exit_code == 0 and "Worked example" in en.stdout
    zh = run("show", "simple-attention", "--lang", "zh")
    assert zh.exit_code == 0 and "示例" in zh.stdout


def test_unknown_id_suggests_close_ones() -> None:
    result = run("show", "simple-atention")
    assert result.exit_code == 2
    assert "No problem is called 'simple-atention'" in result.stderr
    assert "simple-attention" in result.stderr


def test_start_never_overwrites_without_force(temp_workspace: Path) -> None:
    first = run("start", "5")
    attempt = temp_workspace / "problem5" / "attempt.py"
    assert first.exit_code == 0 and attempt.is_file()
    attempt.write_text("# my work\n")
    again = run("start", "5")
    assert again.exit_code == 0 and "already have an attempt" in again.stdout
    assert attempt.read_text() == "# my work\n"
    forced = run("start", "5", "--force")
    assert forced.exit_code == 0 and "kept as" in forced.stdout
    backups = list((temp_workspace / "problem5" / "backups").iterdir())
    assert [b.read_text() for b in backups] == ["# my work\n"]
    assert "TODO" in attempt.read_text()


def test_reset_restores_the_stub_and_keeps_a_backup(temp_workspace: Path) -> None:
    run("start", "5")
    attempt = temp_workspace / "problem5" / "attempt.py"
    attempt.write_text("x = 1\n")
    result = run("reset", "5")
    assert result.exit_code == 0 and "TODO" in attempt.read_text()
    assert any(b.read_text() == "x = 1\n" for b in (temp_workspace / "problem5" / "backups").iterdir())


def test_submit_without_attempt_is_a_usage_error() -> None:
    result = run("submit", "5")
    assert result.exit_code == 2
    assert "attn-practice start problem5" in result.stderr


def test_submit_right_then_solution_and_progress(temp_workspace: Path) -> None:
    locked = run("solution", "5")
    assert locked.exit_code == 2 and "--force" in locked.stderr
    run("start", "5")
    shutil.copy(GOLDEN / "right" / "attempt.py", temp_workspace / "problem5" / "attempt.py")
    result = run("submit", "5")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.lstrip("+ -\n|").startswith("PASS") or "PASS" in result.stdout.splitlines()[1]
    assert "25/25 checks passed" in result.stdout
    solution = run("solution", "5")
    assert solution.exit_code == 0 and "def attention" in solution.stdout
    progress = run("progress")
    assert progress.exit_code == 0 and "1/" in progress.stdout and "problem5" in progress.stdout
    assert "100%" in run("list").stdout


def test_submit_wrong_attempt_teaches(temp_workspace: Path) -> None:
    mistake = REPO / "problems" / "problem5" / "mistakes" / "softmax_over_queries.py"
    result = run("submit", "5", "--file", str(mistake), "--format", "plain")
    assert result.exit_code == 1
    out = result.stdout
    assert out.splitlines()[1].strip("| ").startswith("FAIL")
    assert "Looks like a known mistake: Softmax over the query axis" in out
    assert "Checked" in out and "Input" in out and "max abs error" in out
    assert "use dim=-1" in out
    assert "\x1b[" not in out  # plain: no colour codes


def test_submit_json_is_the_only_thing_on_stdout(temp_workspace: Path) -> None:
    result = run("submit", "5", "--file", str(GOLDEN / "nan" / "attempt.py"), "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["version"] == 3 and doc["status"] == "fail"
    assert {"name", "status", "message", "output", "test_code"} <= set(doc["tests"][0])
    assert doc["diagnosis"]["mistake_id"] == "softmax-without-max"
    failing = [t for t in doc["tests"] if t["status"] != "pass"]
    assert failing and failing[0]["details"]["comparison"]["actual_nan"] > 0


def test_submit_junit_is_valid_xml(temp_workspace: Path) -> None:
    result = run("submit", "5", "--file", str(GOLDEN / "syntax-error" / "attempt.py"),
                 "--format", "junit")
    assert result.exit_code == 1
    root = ElementTree.fromstring(result.stdout.encode())
    suite = root.find("testsuite")
    assert suite is not None and suite.get("errors") == "1"
    assert "SyntaxError" in suite.find("testcase/error").get("message")


def test_syntax_error_shows_line_column_and_frame(temp_workspace: Path) -> None:
    result = run("submit", "5", "--file", str(GOLDEN / "syntax-error" / "attempt.py"))
    assert result.exit_code == 1
    assert "line 4, column 15" in result.stdout
    assert "> 4 | def attention Mechanism" in result.stdout


def test_hints_advance_and_are_remembered(temp_workspace: Path) -> None:
    first = run("hint", "5")
    second = run("hint", "5")
    assert "Hint 1 of" in first.stdout and "Hint 2 of" in second.stdout
    assert "Hint 3 of" in run("hint", "problem5", "--lang", "zh").stdout


def test_solution_force_is_recorded(temp_workspace: Path) -> None:
    result = run("solution", "5", "--force")
    assert result.exit_code == 0 and "Revealed before passing" in result.stdout


def test_broken_problem_is_listed_while_others_still_work(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(REPO / "problems" / "problem5", pack / "problems" / "problem5")
    shutil.copytree(REPO / "problems" / "problem5", pack / "problems" / "problem6")
    shutil.copytree(REPO / "solutions", pack / "solutions")
    toml = pack / "problems" / "problem6" / "problem.toml"
    toml.write_text(toml.read_text().replace('id = "problem5"', 'id = "problem6"')
                    .replace('difficulty = "easy"', 'difficulty = 3'))
    result = run("list", "--problems-dir", str(pack / "problems"))
    assert result.exit_code == 0
    assert "problem5" in result.stdout and "broken" in result.stdout
    assert "problem.toml [difficulty]: must be str, got int" in " ".join(result.stdout.split())
    shown = run("show", "6", "--problems-dir", str(pack / "problems"))
    assert shown.exit_code == 2 and "[difficulty]" in shown.stderr


@pytest.mark.parametrize("command", [["list"], ["show", "5"], ["hint", "5"]])
def test_light_commands_do_not_import_torch(command: list[str], tmp_path: Path) -> None:
    code = ("import sys; from typer.testing import CliRunner; import cli; "
            f"r = CliRunner().invoke(cli.app, {command!r}); "
            "assert r.exit_code == 0, r.output; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, env={"ATTN_PRACTICE_WORKSPACE": str(tmp_path), "PATH": "/usr/bin"},
                         check=True)
    assert out.stdout.strip() == "False"


def test_damaged_progress_store_is_moved_aside_with_a_warning(temp_workspace: Path) -> None:
    temp_workspace.mkdir(parents=True, exist_ok=True)
    (temp_workspace / "progress.sqlite3").write_bytes(b"not a database" * 64)
    result = run("hint", "5")
    assert result.exit_code == 0 and "Hint 1 of" in result.stdout
    assert "progress store was damaged; it was moved to" in result.stderr
    assert list(temp_workspace.glob("progress.sqlite3.corrupt-*"))
    assert "Traceback" not in result.stdout + result.stderr


def test_bad_input_to_the_tool_is_exit_code_2(temp_workspace: Path, tmp_path: Path) -> None:
    cases = [
        (["submit", "nope"], "No problem is called"),
        (["submit", "5", "--file", str(tmp_path / "missing.py")], "No attempt at"),
        (["submit", "5", "--file", str(tmp_path)], "is a folder; pass the attempt file"),
    ]
    for args, phrase in cases:
        result = run(*args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert phrase in " ".join(result.stderr.split())


def test_missing_reference_and_broken_hidden_tests_are_exit_code_2(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(REPO / "problems" / "problem5", pack / "problems" / "problem5")
    shutil.copytree(REPO / "problems" / "problem5", pack / "problems" / "problem6")
    toml = pack / "problems" / "problem6" / "problem.toml"
    toml.write_text(toml.read_text().replace('id = "problem5"', 'id = "problem6"')
                    .replace('slug = "simple-attention"', 'slug = "other"'))
    (pack / "solutions").mkdir()
    shutil.copy(REPO / "solutions" / "problem5.py", pack / "solutions" / "problem6.py")
    (pack / "problems" / "problem6" / "tests" / "test_hidden.py").write_text("import nonexistent\n")
    attempt = GOLDEN / "right" / "attempt.py"
    no_ref = run("submit", "5", "--file", str(attempt), "--problems-dir", str(pack / "problems"))
    assert no_ref.exit_code == 2 and "reference solution file is missing" in no_ref.stderr
    broken = run("submit", "6", "--file", str(attempt), "--problems-dir", str(pack / "problems"))
    assert broken.exit_code == 2 and "hidden tests could not be collected" in broken.stderr
    listed = run("list", "--problems-dir", str(pack / "problems"))
    assert listed.exit_code == 0 and "problem5" in listed.stdout and "problem6" in listed.stdout


def test_the_console_script_builds_only_the_command_it_runs(tmp_path: Path) -> None:
    """main() registers just the command asked for; it must still parse like the full app."""
    env = {**os.environ, "ATTN_PRACTICE_WORKSPACE": str(tmp_path)}
    for args, expect in ((["hint", "5"], "Hint 1 of"), (["list", "--kind", "quiz"], "problem1"),
                         (["--help"], "submit")):
        done = subprocess.run([sys.executable, "-m", "cli", *args], cwd=REPO, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0 and expect in done.stdout, (args, done.stdout, done.stderr)
